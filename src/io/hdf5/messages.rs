//! Header-message decoders (§IV.A.2): dataspace, datatype, data layout,
//! filter pipeline and attribute messages.

use super::*;

impl Hdf5File {
    /// Dataspace message (§IV.A.2.b), versions 1 and 2.
    pub(super) fn dataspace(&self, body: &[u8]) -> Result<Vec<u64>, Hdf5Error> {
        let mut b = Body { b: body, pos: 0 };
        let w = "dataspace";
        let version = b.uint(1, self, w)?;
        let rank = b.uint(1, self, w)? as usize;
        let _flags = b.uint(1, self, w)?;
        match version {
            1 => {
                b.take(5, self, w)?;
            }
            2 => {
                let kind = b.uint(1, self, w)?;
                if kind == 2 {
                    return Err(self.unsupported("null dataspace".into()));
                }
            }
            v => return Err(self.unsupported(format!("dataspace version {v}"))),
        }
        (0..rank).map(|_| b.uint(8, self, w)).collect()
    }

    /// Datatype message (§IV.A.2.d).
    pub(super) fn datatype(&self, b: &mut Body) -> Result<Datatype, Hdf5Error> {
        let w = "datatype";
        let head = b.take(4, self, w)?;
        let class = head[0] & 0x0f;
        let bits0 = head[1];
        let size = b.uint(4, self, w)? as usize;
        Ok(match class {
            0 => {
                b.take(4, self, w)?;
                Datatype::Fixed {
                    size,
                    signed: bits0 & 0x08 != 0,
                    big_endian: bits0 & 0x01 != 0,
                }
            }
            1 => {
                b.take(12, self, w)?;
                if size != 4 && size != 8 {
                    return Err(self.unsupported(format!("{size}-byte floats")));
                }
                Datatype::Float {
                    size,
                    big_endian: bits0 & 0x01 != 0,
                }
            }
            3 => Datatype::String { size },
            9 => {
                let is_string = bits0 & 0x0f == 1;
                // the base type follows
                self.datatype(b)?;
                if is_string {
                    Datatype::VarString
                } else {
                    Datatype::Other { class, size }
                }
            }
            _ => Datatype::Other { class, size },
        })
    }

    /// Data layout message (§IV.A.2.i), version 3.
    pub(super) fn layout(&self, body: &[u8]) -> Result<Layout, Hdf5Error> {
        let mut b = Body { b: body, pos: 0 };
        let w = "layout";
        let version = b.uint(1, self, w)?;
        if version != 3 {
            return Err(self.unsupported(format!("data layout message version {version}")));
        }
        match b.uint(1, self, w)? {
            0 => {
                let n = b.uint(2, self, w)? as usize;
                Ok(Layout::Compact(b.take(n, self, w)?.to_vec()))
            }
            1 => Ok(Layout::Contiguous {
                address: b.uint(8, self, w)?,
                size: b.uint(8, self, w)?,
            }),
            2 => {
                let dims = b.uint(1, self, w)? as usize;
                let btree = b.uint(8, self, w)?;
                let chunk = (0..dims)
                    .map(|_| b.uint(4, self, w).map(|v| v as u32))
                    .collect::<Result<Vec<_>, _>>()?;
                Ok(Layout::Chunked { btree, chunk })
            }
            c => Err(self.unsupported(format!("layout class {c}"))),
        }
    }

    /// Filter pipeline message (§IV.A.2.l), versions 1 and 2.
    pub(super) fn filters(&self, body: &[u8]) -> Result<Vec<Filter>, Hdf5Error> {
        let mut b = Body { b: body, pos: 0 };
        let w = "filter pipeline";
        let version = b.uint(1, self, w)?;
        let n = b.uint(1, self, w)? as usize;
        if version == 1 {
            b.take(6, self, w)?;
        } else if version != 2 {
            return Err(self.unsupported(format!("filter pipeline version {version}")));
        }
        let mut out = Vec::new();
        for _ in 0..n {
            let id = b.uint(2, self, w)? as u16;
            let name_len = if version == 1 || id >= 256 {
                b.uint(2, self, w)? as usize
            } else {
                0
            };
            let _flags = b.uint(2, self, w)?;
            let nvals = b.uint(2, self, w)? as usize;
            if name_len > 0 {
                b.take(if version == 1 { pad8(name_len) } else { name_len }, self, w)?;
            }
            let client = (0..nvals)
                .map(|_| b.uint(4, self, w).map(|v| v as u32))
                .collect::<Result<Vec<_>, _>>()?;
            if version == 1 && nvals % 2 == 1 {
                b.take(4, self, w)?;
            }
            out.push(Filter { id, client });
        }
        Ok(out)
    }

    /// Attribute message (§IV.A.2.m), version 1.
    pub(super) fn attribute(&self, body: &[u8]) -> Result<(String, Value), Hdf5Error> {
        let mut b = Body { b: body, pos: 0 };
        let w = "attribute";
        let version = b.uint(1, self, w)?;
        if version != 1 {
            return Err(self.unsupported(format!("attribute message version {version}")));
        }
        b.take(1, self, w)?;
        let name_len = b.uint(2, self, w)? as usize;
        let dt_len = b.uint(2, self, w)? as usize;
        let ds_len = b.uint(2, self, w)? as usize;
        let name = b.take(pad8(name_len), self, w)?;
        let name = String::from_utf8_lossy(&name[..name_len.saturating_sub(1)]).into_owned();
        let dt = b.take(pad8(dt_len), self, w)?;
        let dtype = self.datatype(&mut Body { b: dt, pos: 0 })?;
        let ds = b.take(pad8(ds_len), self, w)?;
        let shape = self.dataspace(ds)?;
        let n: u64 = shape.iter().product();
        let raw = b.take(n as usize * dtype.size(), self, w)?.to_vec();
        Ok((name, Value { dtype, shape, raw }))
    }
}
