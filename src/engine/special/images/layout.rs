//! Where pictures live on disk, laid out exactly as PrestaShop lays out its `img/` folder, so
//! that shopws and PrestaShop pointed at the same folder serve the same files:
//!
//! * products: `p/{digits of id_image joined by '/'}/{id_image}.jpg` and
//!   `…/{id_image}-{type}.jpg` (image 123 → `p/1/2/3/123.jpg`, `p/1/2/3/123-home_default.jpg`);
//! * categories, manufacturers, suppliers, stores: `c|m|su|st/{id}.jpg` and `{id}-{type}.jpg`.
//!
//! Every path is built from numbers and from image type names read from the database (and
//! checked again here), never from text a client sent.

use std::path::{Path, PathBuf};

/// The families of pictures attached to rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    Products,
    Categories,
    Manufacturers,
    Suppliers,
    Stores,
}

impl Kind {
    pub const ENTITIES: [Kind; 4] = [
        Kind::Categories,
        Kind::Manufacturers,
        Kind::Suppliers,
        Kind::Stores,
    ];

    pub fn from_segment(s: &str) -> Option<Kind> {
        Some(match s {
            "products" => Kind::Products,
            "categories" => Kind::Categories,
            "manufacturers" => Kind::Manufacturers,
            "suppliers" => Kind::Suppliers,
            "stores" => Kind::Stores,
            _ => return None,
        })
    }

    /// The path segment, which is also the `image_type` flag column naming the family.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Products => "products",
            Kind::Categories => "categories",
            Kind::Manufacturers => "manufacturers",
            Kind::Suppliers => "suppliers",
            Kind::Stores => "stores",
        }
    }

    /// PrestaShop's folder under `img/`.
    pub fn folder(self) -> &'static str {
        match self {
            Kind::Products => "p",
            Kind::Categories => "c",
            Kind::Manufacturers => "m",
            Kind::Suppliers => "su",
            Kind::Stores => "st",
        }
    }

    /// The table and key of the rows these pictures belong to.
    pub fn table(self) -> (&'static str, &'static str) {
        match self {
            Kind::Products => ("product", "id_product"),
            Kind::Categories => ("category", "id_category"),
            Kind::Manufacturers => ("manufacturer", "id_manufacturer"),
            Kind::Suppliers => ("supplier", "id_supplier"),
            Kind::Stores => ("store", "id_store"),
        }
    }
}

/// The folder holding picture `id` of a family (for products, `id` is the `id_image`).
pub fn folder(root: &Path, kind: Kind, id: i64) -> PathBuf {
    let mut p = root.join(kind.folder());
    if kind == Kind::Products {
        for d in id.to_string().chars() {
            p.push(d.to_string());
        }
    }
    p
}

/// The original picture.
pub fn original(root: &Path, kind: Kind, id: i64) -> PathBuf {
    folder(root, kind, id).join(format!("{id}.jpg"))
}

/// One size of a picture; `None` for a type name that could not be a file name.
pub fn sized(root: &Path, kind: Kind, id: i64, type_name: &str) -> Option<PathBuf> {
    safe_type_name(type_name).then(|| folder(root, kind, id).join(format!("{id}-{type_name}.jpg")))
}

/// The "no picture" placeholder of a family for a language (`p/en.jpg`); `None` for a code
/// that could not be a language's.
pub fn placeholder(root: &Path, kind: Kind, iso: &str) -> Option<PathBuf> {
    safe_iso(iso).then(|| root.join(kind.folder()).join(format!("{iso}.jpg")))
}

/// One size of a placeholder (`p/en-default-home_default.jpg`).
pub fn placeholder_sized(root: &Path, kind: Kind, iso: &str, type_name: &str) -> Option<PathBuf> {
    (safe_iso(iso) && safe_type_name(type_name)).then(|| {
        root.join(kind.folder())
            .join(format!("{iso}-default-{type_name}.jpg"))
    })
}

fn safe_iso(iso: &str) -> bool {
    (2..=5).contains(&iso.len()) && iso.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

/// PrestaShop's `isImageTypeName` (letters, digits, `_`, `-`, space), without the space: a
/// type name becomes part of a file name.
pub fn safe_type_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn product_pictures_nest_by_digit() {
        let root = Path::new("img");
        assert_eq!(
            original(root, Kind::Products, 123),
            Path::new("img/p/1/2/3/123.jpg")
        );
        assert_eq!(
            sized(root, Kind::Products, 123, "home_default"),
            Some(PathBuf::from("img/p/1/2/3/123-home_default.jpg"))
        );
        assert_eq!(
            original(root, Kind::Categories, 4),
            Path::new("img/c/4.jpg")
        );
        assert_eq!(sized(root, Kind::Suppliers, 4, "../x"), None);
    }
}
