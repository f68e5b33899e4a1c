//! PrestaShop's image errors (codes 48–77), with the [FIX]es of protocol §8.1: a picture
//! missing on disk is 404 (PrestaShop: 500), and every failure carries a code.

use crate::engine::error::did_you_mean;
use crate::engine::ApiError;

pub const MIME_TYPES: &str =
    "image/gif, image/jpg, image/jpeg, image/pjpeg, image/png, image/webp, image/x-png";

pub fn family_unknown(t: &str, all: &[&str]) -> ApiError {
    ApiError::new(
        400,
        48,
        did_you_mean(&format!("Image of type \"{t}\" does not exist"), t, all),
    )
}
pub fn method(m: &str) -> ApiError {
    ApiError::new(405, 67, format!("This method is not allowed ({m})"))
}
pub fn listing_method() -> ApiError {
    ApiError::new(
        405,
        55,
        "This method is not allowed for listing category images.",
    )
}
pub fn image_id_unknown() -> ApiError {
    ApiError::new(400, 57, "This image id does not exist")
}
pub fn size_unknown(size: &str, all: &[&str]) -> ApiError {
    ApiError::new(
        400,
        58,
        did_you_mean("This image size does not exist", size, all),
    )
}
pub fn size_missing() -> ApiError {
    ApiError::new(404, 59, "This image does not exist on disk")
}
pub fn id_invalid() -> ApiError {
    ApiError::new(
        400,
        60,
        "The image id is invalid. Please set a valid id or the \"default\" value",
    )
}
pub fn missing(code: u32) -> ApiError {
    ApiError::new(404, code, "This image does not exist on disk")
}
pub fn customization_missing() -> ApiError {
    ApiError::new(404, 61, "Customization does not exist")
}
pub fn customization_field_missing() -> ApiError {
    ApiError::new(404, 61, "Customization field does not exist.")
}
/// PrestaShop answers 500; a conflict with what is stored is the client's to fix.
pub fn customization_field_taken() -> ApiError {
    ApiError::new(
        400,
        61,
        "Customization field already have a value, please use PUT method.",
    )
}
pub fn exists() -> ApiError {
    ApiError::new(
        400,
        65,
        "This image already exists. To modify it, please use the PUT method",
    )
}
pub fn unsaved() -> ApiError {
    ApiError::new(500, 66, "Unable to save this image")
}
pub fn too_large(limit_bytes: u64) -> ApiError {
    ApiError::new(
        400,
        72,
        format!(
            "The image size is too large (maximum allowed is {} KB)",
            limit_bytes / 1000
        ),
    )
}
pub fn not_an_image() -> ApiError {
    ApiError::new(
        400,
        73,
        "This type of image format is not recognized, allowed formats are: image/gif\", \"image/jpg\", \"image/jpeg\", \"image/pjpeg\", \"image/png\", \"image/webp\", \"image/x-png",
    )
}
pub fn no_field() -> ApiError {
    ApiError::new(
        400,
        76,
        "Please set an \"image\" parameter with image data for value",
    )
}
pub fn bad_image(detail: &str) -> ApiError {
    ApiError::new(400, 76, format!("Bad image : {detail}"))
}
pub fn product_missing(id: i64) -> ApiError {
    ApiError::new(400, 76, format!("Product {id} does not exist"))
}
pub fn upload_method(m: &str) -> ApiError {
    ApiError::new(
        405,
        77,
        format!("Method {m} is not allowed for an image resource"),
    )
}
