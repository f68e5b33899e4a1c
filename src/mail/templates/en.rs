//! English words of the e-mails (and the fallback of every other language).

use super::Text;

pub fn text(template: &str) -> Option<Text> {
    let (subject, body) = match template {
        "order_conf" => (
            "Order confirmation",
            "Hi {firstname} {lastname},\n\nThank you for shopping with {shop_name}!\n\n\
             Order {order_name} placed on {date}.\nPayment: {payment}\n\n\
             {products}\n\nProducts: {total_products}\nDiscounts: {total_discounts}\n\
             Shipping: {total_shipping}\nTotal paid: {total_paid}\n\n\
             Carrier: {carrier}\n\nYou can follow your order and download your invoice from your \
             customer account.",
        ),
        "payment" => (
            "Payment accepted",
            "Hi {firstname} {lastname},\n\nWe have successfully processed your payment of \
             {total_paid} for order {order_name}.\n\nThank you for shopping with {shop_name}!",
        ),
        "preparation" => (
            "Processing in progress",
            "Hi {firstname} {lastname},\n\nWe are currently processing your order {order_name}.\n\n\
             Thank you for shopping with {shop_name}!",
        ),
        "shipped" => (
            "Shipped",
            "Hi {firstname} {lastname},\n\nYour order {order_name} has been shipped ({carrier}).\n\n\
             Tracking: {followup}\n\nThank you for shopping with {shop_name}!",
        ),
        "in_transit" => (
            "Package in transit",
            "Hi {firstname} {lastname},\n\nYour order {order_name} is now in transit.\n\n\
             Tracking number: {shipping_number}\nYou can track your package here: {followup}\n\n\
             Thank you for shopping with {shop_name}!",
        ),
        "order_canceled" => (
            "Order canceled",
            "Hi {firstname} {lastname},\n\nYour order {order_name} has been canceled.\n\n\
             If you have any question, please contact {shop_name}.",
        ),
        "refund" => (
            "Refund",
            "Hi {firstname} {lastname},\n\nWe have processed your refund for order \
             {order_name}.\n\nThank you for shopping with {shop_name}.",
        ),
        "payment_error" => (
            "Payment error",
            "Hi {firstname} {lastname},\n\nThere was a problem with the payment of your order \
             {order_name}. Please contact us.\n\n{shop_name}",
        ),
        "outofstock" => (
            "Product out of stock",
            "Hi {firstname} {lastname},\n\nOne or more items of your order {order_name} are \
             currently out of stock: your order will be shipped as soon as they are back.\n\n\
             Thank you for your patience, {shop_name}.",
        ),
        "bankwire" => (
            "Awaiting bank wire payment",
            "Hi {firstname} {lastname},\n\nYour order {order_name} has been placed. Please send \
             a bank wire of {total_paid} to:\n\nAccount owner: {bankwire_owner}\n\
             Details: {bankwire_details}\nBank address: {bankwire_address}\n\n\
             Your order will be sent as soon as we receive the payment.\n\n{shop_name}",
        ),
        "cheque" => (
            "Awaiting check payment",
            "Hi {firstname} {lastname},\n\nYour order {order_name} has been placed. Please send \
             a check of {total_paid} payable to {cheque_name}, to:\n\n{cheque_address}\n\n\
             Your order will be sent as soon as we receive the payment.\n\n{shop_name}",
        ),
        "cashondelivery" => (
            "Awaiting cash on delivery validation",
            "Hi {firstname} {lastname},\n\nYour order {order_name} has been placed: you will pay \
             {total_paid} on delivery.\n\nThank you for shopping with {shop_name}!",
        ),
        _ => return None,
    };
    Some(Text { subject, body })
}
