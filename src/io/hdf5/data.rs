//! Reading a dataset's elements: contiguous, compact and chunked storage
//! (rank-1 chunk B-tree), the filter pipeline (deflate, shuffle,
//! Fletcher-32), the global heap for variable-length strings, and the
//! conversion of numbers to f64.

use super::*;
use std::io::Read;

impl Hdf5File {
    /// Raw element bytes of `ds`, filters undone.
    fn raw_data(&self, ds: &Dataset) -> Result<Vec<u8>, Hdf5Error> {
        let n: u64 = ds.shape.iter().product();
        let esize = ds.dtype.size() as u64;
        let total = n
            .checked_mul(esize)
            .filter(|&t| t <= 1 << 40)
            .ok_or_else(|| self.format(format!("{}: absurd size", ds.path)))?;
        match &ds.layout {
            Layout::Compact(bytes) => {
                if (bytes.len() as u64) < total {
                    return Err(self.format(format!("{}: compact data shorter than its shape", ds.path)));
                }
                Ok(bytes[..total as usize].to_vec())
            }
            Layout::Contiguous { address, size } => {
                if *address == UNDEFINED {
                    return Ok(vec![0; total as usize]); // never written: fill value 0
                }
                if *size < total {
                    return Err(
                        self.format(format!("{}: contiguous storage shorter than its shape", ds.path))
                    );
                }
                let mut c = self.cursor(*address, "dataset data");
                Ok(c.take(total)?.to_vec())
            }
            Layout::Chunked { btree, chunk } => {
                if ds.shape.len() != 1 || chunk.len() != 2 {
                    return Err(self.unsupported(format!("{}: chunked data of rank ≠ 1", ds.path)));
                }
                let chunk_bytes = chunk[0] as u64 * esize;
                if chunk[1] as u64 != esize || chunk[0] == 0 {
                    return Err(self.format(format!("{}: chunk element size mismatch", ds.path)));
                }
                let mut out = vec![0u8; total as usize];
                let mut filled = vec![false; n.div_ceil(chunk[0] as u64) as usize];
                let mut chunks = Vec::new();
                self.chunk_index(*btree, &mut chunks, 0)?;
                for (size, mask, offset, addr) in chunks {
                    if offset % chunk[0] as u64 != 0 || offset >= n.max(1) {
                        return Err(
                            self.format(format!("{}: chunk at element {offset} off the grid", ds.path))
                        );
                    }
                    let mut c = self.cursor(addr, "data chunk");
                    let mut data = c.take(size as u64)?.to_vec();
                    for (k, f) in ds.filters.iter().enumerate().rev() {
                        if mask & (1 << k) != 0 {
                            continue;
                        }
                        data = self.undo_filter(f, data, esize as usize, &ds.path, offset)?;
                    }
                    if (data.len() as u64) < chunk_bytes {
                        return Err(self.format(format!(
                            "{}: chunk at element {offset} decodes to {} bytes, expected {chunk_bytes}",
                            ds.path,
                            data.len()
                        )));
                    }
                    let start = offset * esize;
                    let end = (start + chunk_bytes).min(total);
                    out[start as usize..end as usize].copy_from_slice(&data[..(end - start) as usize]);
                    filled[(offset / chunk[0] as u64) as usize] = true;
                }
                if let Some(i) = filled.iter().position(|f| !f) {
                    return Err(self.format(format!(
                        "{}: chunk {i} (element {}) missing from the chunk index",
                        ds.path,
                        i as u64 * chunk[0] as u64
                    )));
                }
                Ok(out)
            }
        }
    }

    /// Leaves (size, filter mask, element offset, address) of a rank-1
    /// chunk B-tree (node type 1).
    fn chunk_index(
        &self,
        addr: u64,
        out: &mut Vec<(u32, u32, u64, u64)>,
        depth: usize,
    ) -> Result<(), Hdf5Error> {
        if depth > 64 {
            return Err(self.format("chunk B-tree deeper than 64 levels".into()));
        }
        let mut c = self.cursor(addr, "chunk B-tree node");
        c.expect_signature(b"TREE")?;
        let t = c.u8()?;
        if t != 1 {
            return Err(self.format(format!("chunk B-tree node type {t}")));
        }
        let level = c.u8()?;
        let entries = c.u16()?;
        c.skip(16)?;
        for _ in 0..entries {
            let size = c.u32()?;
            let mask = c.u32()?;
            let offset = c.u64()?;
            c.skip(8)?; // element-size "dimension"
            let child = c.u64()?;
            if level == 0 {
                out.push((size, mask, offset, child));
            } else {
                self.chunk_index(child, out, depth + 1)?;
            }
        }
        Ok(())
    }

    fn undo_filter(
        &self,
        f: &Filter,
        data: Vec<u8>,
        esize: usize,
        path: &str,
        offset: u64,
    ) -> Result<Vec<u8>, Hdf5Error> {
        match f.id {
            1 => {
                let mut out = Vec::new();
                flate2::read::ZlibDecoder::new(&data[..])
                    .read_to_end(&mut out)
                    .map_err(|e| {
                        self.format(format!(
                            "{path}: chunk at element {offset}: bad deflate stream ({e})"
                        ))
                    })?;
                Ok(out)
            }
            2 => {
                let es = f.client.first().map_or(esize, |&v| v as usize).max(1);
                let n = data.len() / es;
                let mut out = data.clone();
                for i in 0..n {
                    for j in 0..es {
                        out[i * es + j] = data[j * n + i];
                    }
                }
                Ok(out)
            }
            3 => {
                if data.len() < 4 {
                    return Err(self.format(format!("{path}: chunk too short for its Fletcher-32 checksum")));
                }
                let (payload, sum) = data.split_at(data.len() - 4);
                let stored = u32::from_le_bytes([sum[0], sum[1], sum[2], sum[3]]);
                let computed = fletcher32(payload);
                // the library also accepts the checksum with its bytes swapped
                // within 16-bit halves (files from before HDF5 1.6.3)
                let swapped = ((computed & 0x00ff_00ff) << 8) | ((computed & 0xff00_ff00) >> 8);
                if stored != computed && stored != swapped {
                    return Err(self.format(format!(
                        "{path}: chunk at element {offset}: Fletcher-32 checksum mismatch (corrupt data)"
                    )));
                }
                Ok(payload.to_vec())
            }
            id => Err(self.unsupported(format!("{path}: filter {id}"))),
        }
    }

    /// Strings of a variable-length string element (length, global heap
    /// collection address, object index).
    fn var_string(&self, elem: &[u8]) -> Result<String, Hdf5Error> {
        let len = u32::from_le_bytes([elem[0], elem[1], elem[2], elem[3]]) as u64;
        let mut a = [0u8; 8];
        a.copy_from_slice(&elem[4..12]);
        let coll = u64::from_le_bytes(a);
        let index = u32::from_le_bytes([elem[12], elem[13], elem[14], elem[15]]) as u16;
        // global heap collection (§III.E)
        let mut c = self.cursor(coll, "global heap");
        c.expect_signature(b"GCOL")?;
        c.skip(4)?;
        let csize = c.u64()?;
        let end = coll + csize;
        while c.pos + 16 <= end {
            let idx = c.u16()?;
            c.skip(6)?;
            let size = c.u64()?;
            if idx == 0 {
                break;
            }
            let data = c.take(pad8(size as usize) as u64)?;
            if idx == index {
                let n = len.min(size) as usize;
                return Ok(String::from_utf8_lossy(&data[..n]).into_owned());
            }
        }
        Err(self.format(format!("global heap object {index} not found at byte {coll}")))
    }
}

/// Fletcher-32 checksum of the HDF5 library (16-bit big-endian words,
/// sums reduced mod 65535 every 360 words; H5checksum.c).
pub fn fletcher32(data: &[u8]) -> u32 {
    let (mut s1, mut s2) = (0u32, 0u32);
    let words = data.len() / 2;
    let mut i = 0;
    let mut left = words;
    while left > 0 {
        let t = left.min(360);
        left -= t;
        for _ in 0..t {
            s1 += ((data[i] as u32) << 8) | data[i + 1] as u32;
            s2 += s1;
            i += 2;
        }
        s1 = (s1 & 0xffff) + (s1 >> 16);
        s2 = (s2 & 0xffff) + (s2 >> 16);
    }
    if data.len() % 2 == 1 {
        s1 += (data[i] as u32) << 8;
        s2 += s1;
        s1 = (s1 & 0xffff) + (s1 >> 16);
        s2 = (s2 & 0xffff) + (s2 >> 16);
    }
    s1 = (s1 & 0xffff) + (s1 >> 16);
    s2 = (s2 & 0xffff) + (s2 >> 16);
    (s2 << 16) | s1
}

fn decode_numbers(file: &Hdf5File, name: &str, dtype: &Datatype, raw: &[u8]) -> Result<Vec<f64>, Hdf5Error> {
    let err = |msg: &str| Hdf5Error::Type {
        file: file.name.clone(),
        name: name.to_string(),
        msg: msg.to_string(),
    };
    let get = |chunk: &[u8], be: bool| -> u64 {
        let it: Box<dyn Iterator<Item = &u8>> = if be {
            Box::new(chunk.iter())
        } else {
            Box::new(chunk.iter().rev())
        };
        it.fold(0u64, |acc, &x| (acc << 8) | x as u64)
    };
    match *dtype {
        Datatype::Float { size, big_endian } => Ok(raw
            .chunks_exact(size)
            .map(|c| {
                let bits = get(c, big_endian);
                if size == 8 {
                    f64::from_bits(bits)
                } else {
                    f32::from_bits(bits as u32) as f64
                }
            })
            .collect()),
        Datatype::Fixed {
            size,
            signed,
            big_endian,
        } if size <= 8 => Ok(raw
            .chunks_exact(size)
            .map(|c| {
                let bits = get(c, big_endian);
                if signed {
                    let shift = 64 - 8 * size as u32;
                    (((bits << shift) as i64) >> shift) as f64
                } else {
                    bits as f64
                }
            })
            .collect()),
        _ => Err(err("not a numeric type")),
    }
}

impl Value {
    /// The values as `f64` (integers and floats).
    pub fn to_f64(&self, file: &Hdf5File, name: &str) -> Result<Vec<f64>, Hdf5Error> {
        decode_numbers(file, name, &self.dtype, &self.raw)
    }
}

impl Dataset {
    /// The attribute `name`.
    pub fn attribute(&self, file: &Hdf5File, name: &str) -> Result<&Value, Hdf5Error> {
        self.attributes
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v)
            .ok_or_else(|| Hdf5Error::NotFound {
                file: file.name.clone(),
                what: "attribute",
                name: format!("{}@{name}", self.path),
            })
    }

    /// A scalar numeric attribute as `f64`.
    pub fn attribute_f64(&self, file: &Hdf5File, name: &str) -> Result<f64, Hdf5Error> {
        let label = format!("{}@{name}", self.path);
        let v = self.attribute(file, name)?.to_f64(file, &label)?;
        match v.as_slice() {
            [x] => Ok(*x),
            _ => Err(Hdf5Error::Type {
                file: file.name.clone(),
                name: label,
                msg: format!("expected a scalar, got {} values", v.len()),
            }),
        }
    }

    /// All elements as `f64` (numeric datasets; C order).
    pub fn read_f64(&self, file: &Hdf5File) -> Result<Vec<f64>, Hdf5Error> {
        let raw = file.raw_data(self)?;
        decode_numbers(file, &self.path, &self.dtype, &raw)
    }

    /// All elements as strings (fixed- or variable-length string datasets;
    /// trailing NULs and spaces removed).
    pub fn read_strings(&self, file: &Hdf5File) -> Result<Vec<String>, Hdf5Error> {
        let raw = file.raw_data(self)?;
        match self.dtype {
            Datatype::String { size } if size > 0 => Ok(raw
                .chunks_exact(size)
                .map(|c| {
                    String::from_utf8_lossy(c)
                        .trim_end_matches(['\0', ' '])
                        .to_string()
                })
                .collect()),
            Datatype::VarString => raw.chunks_exact(16).map(|c| file.var_string(c)).collect(),
            _ => Err(Hdf5Error::Type {
                file: file.name.clone(),
                name: self.path.clone(),
                msg: "not a string dataset".into(),
            }),
        }
    }
}
