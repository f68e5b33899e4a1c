//! French words of the e-mails.

use super::Text;

pub fn text(template: &str) -> Option<Text> {
    let (subject, body) = match template {
        "order_conf" => (
            "Confirmation de commande",
            "Bonjour {firstname} {lastname},\n\nMerci d'avoir effectué vos achats sur {shop_name} !\n\n\
             Commande {order_name} passée le {date}.\nPaiement : {payment}\n\n\
             {products}\n\nProduits : {total_products}\nRéductions : {total_discounts}\n\
             Livraison : {total_shipping}\nTotal payé : {total_paid}\n\n\
             Transporteur : {carrier}\n\nVous pouvez suivre votre commande et télécharger votre \
             facture depuis votre compte client.",
        ),
        "payment" => (
            "Paiement accepté",
            "Bonjour {firstname} {lastname},\n\nNous avons bien reçu votre paiement de \
             {total_paid} pour la commande {order_name}.\n\nMerci pour votre achat sur {shop_name} !",
        ),
        "preparation" => (
            "Préparation en cours",
            "Bonjour {firstname} {lastname},\n\nNous préparons actuellement votre commande \
             {order_name}.\n\nMerci pour votre achat sur {shop_name} !",
        ),
        "shipped" => (
            "Expédiée",
            "Bonjour {firstname} {lastname},\n\nVotre commande {order_name} a été expédiée \
             ({carrier}).\n\nSuivi : {followup}\n\nMerci pour votre achat sur {shop_name} !",
        ),
        "in_transit" => (
            "Colis en transit",
            "Bonjour {firstname} {lastname},\n\nVotre commande {order_name} est en cours de \
             livraison.\n\nNuméro de suivi : {shipping_number}\nVous pouvez suivre votre colis \
             ici : {followup}\n\nMerci pour votre achat sur {shop_name} !",
        ),
        "order_canceled" => (
            "Commande annulée",
            "Bonjour {firstname} {lastname},\n\nVotre commande {order_name} a été annulée.\n\n\
             Pour toute question, contactez {shop_name}.",
        ),
        "refund" => (
            "Remboursement",
            "Bonjour {firstname} {lastname},\n\nNous avons effectué le remboursement de votre \
             commande {order_name}.\n\nMerci pour votre confiance, {shop_name}.",
        ),
        "payment_error" => (
            "Erreur de paiement",
            "Bonjour {firstname} {lastname},\n\nLe paiement de votre commande {order_name} a \
             rencontré un problème. Merci de nous contacter.\n\n{shop_name}",
        ),
        "outofstock" => (
            "Produit en rupture de stock",
            "Bonjour {firstname} {lastname},\n\nUn ou plusieurs articles de votre commande \
             {order_name} sont en rupture de stock : votre commande sera expédiée dès leur \
             réapprovisionnement.\n\nMerci de votre patience, {shop_name}.",
        ),
        "bankwire" => (
            "En attente de paiement par virement bancaire",
            "Bonjour {firstname} {lastname},\n\nVotre commande {order_name} a bien été \
             enregistrée. Merci d'effectuer un virement de {total_paid} :\n\n\
             Titulaire du compte : {bankwire_owner}\nDétails : {bankwire_details}\n\
             Adresse de la banque : {bankwire_address}\n\n\
             Votre commande sera expédiée dès réception du paiement.\n\n{shop_name}",
        ),
        "cheque" => (
            "En attente du paiement par chèque",
            "Bonjour {firstname} {lastname},\n\nVotre commande {order_name} a bien été \
             enregistrée. Merci d'envoyer un chèque de {total_paid} à l'ordre de {cheque_name}, \
             à l'adresse :\n\n{cheque_address}\n\n\
             Votre commande sera expédiée dès réception du paiement.\n\n{shop_name}",
        ),
        "cashondelivery" => (
            "En attente de validation du paiement à la livraison",
            "Bonjour {firstname} {lastname},\n\nVotre commande {order_name} a bien été \
             enregistrée : vous réglerez {total_paid} à la livraison.\n\n\
             Merci pour votre achat sur {shop_name} !",
        ),
        _ => return None,
    };
    Some(Text { subject, body })
}
