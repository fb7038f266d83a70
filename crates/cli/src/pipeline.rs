//! Streaming input in blocks of whole lines: a reader thread fills the next block while the
//! pool assesses the current one in parallel pieces, and outputs are written in input order.
//! Memory stays bounded whatever the input's size, and reading overlaps the work.

use std::io::{self, Read, Write};
use std::sync::mpsc;

use rayon::prelude::*;
use yuanzhu_rules::contract::Tally;

/// Bytes read per block; each block is cut at its last line break.
const BLOCK: usize = 8 << 20;
/// Bytes per piece of a block handed to one thread.
const PIECE: usize = 512 << 10;

/// Blocks of input on their way from the reader thread, and emptied blocks on their way back
/// for reuse (fresh memory costs page faults on every block).
pub struct Blocks {
    full: mpsc::Receiver<io::Result<Vec<u8>>>,
    empty: mpsc::Sender<Vec<u8>>,
}

impl Blocks {
    /// The next block; `None` at the end of the input.
    pub fn next(&self) -> Option<io::Result<Vec<u8>>> {
        self.full.recv().ok()
    }

    /// Hands a block back to the reader for reuse.
    pub fn recycle(&self, block: Vec<u8>) {
        let _ = self.empty.send(block);
    }
}

/// Reads `reader` to the end in blocks that end on a line break (the last may not).
/// A read error arrives as the last item.
pub fn blocks(mut reader: impl Read + Send + 'static) -> Blocks {
    let (tx, full) = mpsc::sync_channel(1);
    let (empty, returned) = mpsc::channel::<Vec<u8>>();
    std::thread::spawn(move || {
        let mut carry: Vec<u8> = Vec::new();
        loop {
            let mut block = returned.try_recv().unwrap_or_else(|_| Vec::with_capacity(BLOCK));
            block.clear();
            block.append(&mut carry);
            match (&mut reader).take(BLOCK as u64).read_to_end(&mut block) {
                Ok(0) if block.is_empty() => return,
                Ok(n) => {
                    let eof = n == 0;
                    if !eof && let Some(cut) = memchr::memrchr(b'\n', &block) {
                        carry.extend_from_slice(&block[cut + 1..]);
                        block.truncate(cut + 1);
                    } else if !eof {
                        // A single line longer than a block: keep reading into it.
                        carry = block;
                        continue;
                    }
                    if tx.send(Ok(block)).is_err() || eof {
                        return;
                    }
                }
                Err(e) => {
                    let _ = tx.send(Err(e));
                    return;
                }
            }
        }
    });
    Blocks { full, empty }
}

/// Cuts `text` at line breaks into pieces of about [`PIECE`] bytes, runs `work` on each in
/// parallel, and writes their outputs in input order.
pub fn in_pieces(
    text: &[u8],
    out: &mut impl Write,
    work: &(impl Fn(&[u8], &mut Vec<u8>, &mut Tally) + Sync),
) -> io::Result<Tally> {
    let mut pieces = Vec::with_capacity(text.len() / PIECE + 1);
    let mut rest = text;
    while !rest.is_empty() {
        let cut = if rest.len() <= PIECE {
            rest.len()
        } else {
            memchr::memchr(b'\n', &rest[PIECE..]).map_or(rest.len(), |i| PIECE + i + 1)
        };
        let (piece, tail) = rest.split_at(cut);
        pieces.push(piece.strip_suffix(b"\n").unwrap_or(piece));
        rest = tail;
    }
    let outputs: Vec<(Vec<u8>, Tally)> = pieces
        .par_iter()
        .map(|piece| {
            let mut buf = Vec::with_capacity(piece.len());
            let mut tally = Tally::default();
            work(piece, &mut buf, &mut tally);
            (buf, tally)
        })
        .collect();
    let mut total = Tally::default();
    for (buf, tally) in outputs {
        out.write_all(&buf)?;
        total += tally;
    }
    Ok(total)
}

/// A reader over the rest of a block and the blocks still to come, for the full CSV reader.
pub struct Rest {
    current: io::Cursor<Vec<u8>>,
    blocks: Blocks,
}

impl Rest {
    pub fn new(current: Vec<u8>, blocks: Blocks) -> Rest {
        Rest { current: io::Cursor::new(current), blocks }
    }
}

impl Read for Rest {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            let n = self.current.read(buf)?;
            if n > 0 || buf.is_empty() {
                return Ok(n);
            }
            match self.blocks.next() {
                Some(block) => self.current = io::Cursor::new(block?),
                None => return Ok(0),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_end_on_line_breaks_and_lose_nothing() {
        let text: Vec<u8> = (0..400_000).flat_map(|i| format!("line {i}\n").into_bytes()).chain(*b"tail").collect();
        let rx = blocks(io::Cursor::new(text.clone()));
        let received: Vec<Vec<u8>> = std::iter::from_fn(|| rx.next()).map(Result::unwrap).collect();
        assert!(received.len() > 1, "the text spans blocks");
        for b in &received[..received.len() - 1] {
            assert_eq!(b.last(), Some(&b'\n'));
        }
        assert_eq!(received.concat(), text);
    }

    #[test]
    fn pieces_keep_input_order() {
        let text: Vec<u8> = (0..200_000).flat_map(|i| format!("{i}\n").into_bytes()).collect();
        let mut out = Vec::new();
        let tally = in_pieces(&text, &mut out, &|piece, buf, t| {
            for line in piece.split(|&b| b == b'\n') {
                buf.extend_from_slice(line);
                buf.push(b'\n');
                t.results += 1;
            }
        })
        .unwrap();
        assert_eq!(out, text);
        assert_eq!(tally.results, 200_000);
    }
}
