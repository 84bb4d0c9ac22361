//! Pictures that reopen: an exported SVG carries its state link in `<metadata>`
//! ([`crate::diagram::still`]), an exported PNG in a `tEXt` chunk. Dropping either onto the page
//! (or opening it with the file picker) restores that state.
//!
//! Reading is defensive, like the share decoder: the size is bounded, every chunk length is
//! checked before it is used, a chunk's CRC must match, and anything else gets an error that says
//! what the file is not.

use std::fmt;

/// The `tEXt` keyword (and SVG metadata element) that holds the state link.
pub const KEYWORD: &str = crate::diagram::still::STATE_ELEMENT;
/// Larger files are refused before they are read.
pub const MAX_PICTURE_BYTES: usize = 20 * 1024 * 1024;
const PNG_SIGNATURE: [u8; 8] = [0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a];

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PictureError {
    TooLarge,
    NotAPicture,
    Damaged,
    NoState,
}

impl fmt::Display for PictureError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            PictureError::TooLarge => "the file is larger than 20 MB; an ALB Lab picture is far smaller",
            PictureError::NotAPicture => "the file is neither an SVG nor a PNG picture",
            PictureError::Damaged => "the PNG file is damaged (cut short or changed)",
            PictureError::NoState => {
                "the picture has no ALB Lab state in it: only pictures exported by ALB Lab (Share → Download diagram) reopen a setup"
            }
        })
    }
}

/// CRC-32 (ISO-HDLC, as PNG uses) of `bytes`.
fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xffff_ffffu32;
    for &b in bytes {
        crc ^= b as u32;
        for _ in 0..8 {
            crc = if crc & 1 != 0 { (crc >> 1) ^ 0xedb8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

/// A PNG chunk: its type and its data.
type Chunk<'a> = ([u8; 4], &'a [u8]);

/// A PNG's chunks, each checked against its length and CRC.
fn chunks(png: &[u8]) -> Result<Vec<Chunk<'_>>, PictureError> {
    if png.len() < 8 || png[..8] != PNG_SIGNATURE {
        return Err(PictureError::NotAPicture);
    }
    let mut out = Vec::new();
    let mut at = 8usize;
    while at < png.len() {
        let header = png.get(at..at + 8).ok_or(PictureError::Damaged)?;
        let len = u32::from_be_bytes([header[0], header[1], header[2], header[3]]) as usize;
        let kind = [header[4], header[5], header[6], header[7]];
        let end = at.checked_add(12).and_then(|x| x.checked_add(len)).ok_or(PictureError::Damaged)?;
        let whole = png.get(at..end).ok_or(PictureError::Damaged)?;
        let data = &whole[8..8 + len];
        let crc = u32::from_be_bytes([whole[8 + len], whole[9 + len], whole[10 + len], whole[11 + len]]);
        if crc32(&whole[4..8 + len]) != crc {
            return Err(PictureError::Damaged);
        }
        out.push((kind, data));
        at = end;
        if &kind == b"IEND" {
            break;
        }
    }
    Ok(out)
}

fn chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len() + 12);
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    let mut crc_input = kind.to_vec();
    crc_input.extend_from_slice(data);
    out.extend_from_slice(&crc32(&crc_input).to_be_bytes());
    out
}

/// The PNG with a `tEXt` chunk (`keyword`, `text`) right after its header. `text` must be Latin-1
/// (a state link is ASCII).
pub fn png_with_text(png: &[u8], keyword: &str, text: &str) -> Result<Vec<u8>, PictureError> {
    let parts = chunks(png)?;
    if parts.first().map(|(k, _)| k) != Some(b"IHDR") || !text.is_ascii() || keyword.is_empty() || keyword.len() > 79 {
        return Err(PictureError::Damaged);
    }
    let mut data = keyword.as_bytes().to_vec();
    data.push(0);
    data.extend_from_slice(text.as_bytes());
    let mut out = PNG_SIGNATURE.to_vec();
    for (i, (kind, body)) in parts.iter().enumerate() {
        out.extend(chunk(kind, body));
        if i == 0 {
            out.extend(chunk(b"tEXt", &data));
        }
    }
    Ok(out)
}

/// The text of the PNG's `tEXt` chunk with this keyword.
pub fn png_text(png: &[u8], keyword: &str) -> Result<Option<String>, PictureError> {
    for (kind, data) in chunks(png)? {
        if &kind != b"tEXt" {
            continue;
        }
        let Some(nul) = data.iter().position(|b| *b == 0) else { continue };
        if &data[..nul] == keyword.as_bytes() {
            // tEXt is Latin-1: every byte is one character.
            return Ok(Some(data[nul + 1..].iter().map(|b| *b as char).collect()));
        }
    }
    Ok(None)
}

/// The state link carried by an exported picture (SVG or PNG).
pub fn state_in_picture(bytes: &[u8]) -> Result<String, PictureError> {
    if bytes.len() > MAX_PICTURE_BYTES {
        return Err(PictureError::TooLarge);
    }
    if bytes.starts_with(&PNG_SIGNATURE) {
        return png_text(bytes, KEYWORD)?.ok_or(PictureError::NoState);
    }
    let text = std::str::from_utf8(bytes).map_err(|_| PictureError::NotAPicture)?;
    if !text.contains("<svg") {
        return Err(PictureError::NotAPicture);
    }
    crate::diagram::still::state_in_svg(text).ok_or(PictureError::NoState)
}

/// The fragment (`v1.…`) of a state link.
pub fn fragment_of(link: &str) -> &str {
    link.rsplit_once('#').map(|(_, f)| f).unwrap_or(link)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The smallest valid PNG: one transparent pixel.
    fn tiny_png() -> Vec<u8> {
        let mut out = PNG_SIGNATURE.to_vec();
        out.extend(chunk(b"IHDR", &[0, 0, 0, 1, 0, 0, 0, 1, 8, 6, 0, 0, 0]));
        out.extend(chunk(b"IDAT", &[0x78, 0x9c, 0x63, 0x60, 0x00, 0x02, 0x00, 0x00, 0x05, 0x00, 0x01]));
        out.extend(chunk(b"IEND", &[]));
        out
    }

    #[test]
    fn crc_matches_the_png_specification() {
        // The CRC of an empty IEND chunk is fixed by the format.
        assert_eq!(crc32(b"IEND"), 0xae42_6082);
    }

    #[test]
    fn a_png_carries_its_state_and_gives_it_back() {
        let link = "https://example.org/lab/#v1.abc_DEF-123";
        let png = png_with_text(&tiny_png(), KEYWORD, link).expect("adds a chunk");
        assert_eq!(state_in_picture(&png).as_deref(), Ok(link));
        assert_eq!(fragment_of(link), "v1.abc_DEF-123");
        // The chunk sits right after the header, and the rest is unchanged.
        let kinds: Vec<[u8; 4]> = chunks(&png).expect("valid").iter().map(|(k, _)| *k).collect();
        assert_eq!(kinds, vec![*b"IHDR", *b"tEXt", *b"IDAT", *b"IEND"]);
    }

    #[test]
    fn pictures_without_a_state_and_other_files_are_told_apart() {
        assert_eq!(state_in_picture(&tiny_png()), Err(PictureError::NoState));
        assert_eq!(state_in_picture(b"<svg xmlns='http://www.w3.org/2000/svg'></svg>"), Err(PictureError::NoState));
        assert_eq!(state_in_picture(b"GIF89a"), Err(PictureError::NotAPicture));
        assert_eq!(state_in_picture(&[0xff, 0xfe, 0x00]), Err(PictureError::NotAPicture));
        let mut cut = png_with_text(&tiny_png(), KEYWORD, "x").expect("png");
        cut.truncate(cut.len() - 20);
        assert_eq!(state_in_picture(&cut), Err(PictureError::Damaged));
        let mut flipped = png_with_text(&tiny_png(), KEYWORD, "#v1.abc").expect("png");
        let last = flipped.len() - 30;
        flipped[last] ^= 0x40;
        assert_eq!(state_in_picture(&flipped), Err(PictureError::Damaged));
    }

    #[test]
    fn hostile_chunk_lengths_never_panic() {
        let mut png = PNG_SIGNATURE.to_vec();
        png.extend_from_slice(&[0xff, 0xff, 0xff, 0xf0, b't', b'E', b'X', b't']);
        assert_eq!(state_in_picture(&png), Err(PictureError::Damaged));
        for n in 0..tiny_png().len() {
            let _ = state_in_picture(&tiny_png()[..n]);
        }
    }
}
