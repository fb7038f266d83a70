//! Streaming input in blocks of whole lines: a reader thread fills the next block while the
//! pool assesses the current one in parallel pieces, and outputs are written in input order.
//! Memory stays bounded whatever the input's size, and reading overlaps the work.

use std::io::{self, Read, Write};
use std::sync::mpsc;

use rayon::prelude::*;
use yuanzhu_domain::registration::{FileError, read_csv};
use yuanzhu_domain::{Registration, RowError};
use yuanzhu_rules::contract::Tally;
use yuanzhu_rules::{Date, Lang};

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

/// Output on its way to a writer thread, so that writing one block overlaps assessing the next.
/// Small writes are gathered into buffers of about [`PIECE`] bytes.
pub struct Output {
    tx: Option<mpsc::SyncSender<Vec<u8>>>,
    /// Buffers the writer is done with, for reuse (fresh memory costs a page fault per page).
    written: mpsc::Receiver<Vec<u8>>,
    pending: Vec<u8>,
    writer: Option<std::thread::JoinHandle<io::Result<()>>>,
}

impl Output {
    pub fn spawn(mut out: impl Write + Send + 'static) -> Output {
        let (tx, rx) = mpsc::sync_channel::<Vec<u8>>(64);
        let (done, written) = mpsc::channel::<Vec<u8>>();
        let writer = std::thread::spawn(move || {
            for mut buf in rx {
                out.write_all(&buf)?;
                buf.clear();
                let _ = done.send(buf);
            }
            out.flush()
        });
        Output { tx: Some(tx), written, pending: Vec::new(), writer: Some(writer) }
    }

    /// An empty buffer: one the writer is done with, or a new one.
    pub fn buffer(&self, capacity: usize) -> Vec<u8> {
        let mut buf = self.written.try_recv().unwrap_or_default();
        buf.reserve(capacity);
        buf
    }

    /// Sends a whole buffer, after whatever was written before it.
    pub fn send(&mut self, buf: Vec<u8>) -> io::Result<()> {
        self.flush_pending()?;
        self.push(buf)
    }

    fn push(&mut self, buf: Vec<u8>) -> io::Result<()> {
        let tx = self.tx.as_ref().expect("not finished");
        if tx.send(buf).is_err() {
            // The writer stopped: its error says why.
            return Err(self.finish().err().unwrap_or_else(|| io::Error::other("the output closed")));
        }
        Ok(())
    }

    fn flush_pending(&mut self) -> io::Result<()> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let buf = std::mem::take(&mut self.pending);
        self.push(buf)
    }

    /// Writes what is left and waits for the writer.
    pub fn finish(&mut self) -> io::Result<()> {
        if let Some(tx) = self.tx.take()
            && !self.pending.is_empty()
        {
            let _ = tx.send(std::mem::take(&mut self.pending));
        }
        match self.writer.take() {
            Some(handle) => handle.join().unwrap_or_else(|_| Err(io::Error::other("the writer thread failed"))),
            None => Ok(()),
        }
    }
}

impl Write for Output {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.pending.extend_from_slice(buf);
        if self.pending.len() >= PIECE {
            self.flush_pending()?;
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.flush_pending()
    }
}

/// Cuts `text` at line breaks into pieces of about [`PIECE`] bytes, runs `work` on each in
/// parallel, and sends their outputs in input order.
pub fn in_pieces(
    text: &[u8],
    out: &mut Output,
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
    let buffers: Vec<Vec<u8>> = pieces.iter().map(|p| out.buffer(p.len())).collect();
    let outputs: Vec<(Vec<u8>, Tally)> = pieces
        .par_iter()
        .zip(buffers)
        .map(|(piece, mut buf)| {
            let mut tally = Tally::default();
            work(piece, &mut buf, &mut tally);
            (buf, tally)
        })
        .collect();
    let mut total = Tally::default();
    for (buf, tally) in outputs {
        out.send(buf)?;
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

/// A file's rows, good and bad, a batch at a time.
pub type Batches = Box<dyn Iterator<Item = Vec<Result<Registration, RowError>>> + Send>;

/// A registration file's rows in batches of about `batch` lines, each parsed when asked for, so
/// that an import parses the next batch on the thread that prepares it while the previous one is
/// written. Only a file without quotes is cut at its line breaks (then every line break ends a
/// row); any other is parsed whole at once. Row numbers are those of the whole file.
pub fn csv_batches(bytes: Vec<u8>, batch: usize, today: Date, lang: Lang) -> Result<Batches, FileError> {
    let header_end = memchr::memchr(b'\n', &bytes).map(|i| i + 1);
    let Some(header_end) = header_end.filter(|_| memchr::memchr(b'"', &bytes).is_none()) else {
        return Ok(in_batches(read_csv(&bytes, today, lang)?.into_iter(), batch));
    };
    // The header's problems (a missing or unknown column) are the file's, told before any write.
    read_csv(&bytes[..header_end], today, lang)?;
    let mut pos = header_end;
    let mut records_before = 0;
    Ok(Box::new(std::iter::from_fn(move || {
        if pos >= bytes.len() {
            return None;
        }
        let end = memchr::memchr_iter(b'\n', &bytes[pos..]).nth(batch - 1).map_or(bytes.len(), |i| pos + i + 1);
        let piece = &bytes[pos..end];
        let mut text = Vec::with_capacity(header_end + piece.len());
        text.extend_from_slice(&bytes[..header_end]);
        text.extend_from_slice(piece);
        let shift = records_before;
        records_before += records(piece);
        pos = end;
        let rows = read_csv(&text, today, lang).expect("the header was read once already");
        Some(
            rows.into_iter()
                .map(|r| match r {
                    Ok(mut r) => {
                        r.row += shift;
                        Ok(r)
                    }
                    Err(mut e) => {
                        e.row += shift;
                        Err(e)
                    }
                })
                .collect(),
        )
    })))
}

/// Rows read whole, handed on `batch` at a time.
pub fn in_batches<T: Send + 'static>(
    mut rows: impl Iterator<Item = T> + Send + 'static,
    batch: usize,
) -> Box<dyn Iterator<Item = Vec<T>> + Send> {
    Box::new(std::iter::from_fn(move || Some(rows.by_ref().take(batch).collect::<Vec<_>>()).filter(|b| !b.is_empty())))
}

/// How many records the CSV reader finds in `piece` (it skips empty lines; a row numbered by
/// the reader counts every other line).
fn records(piece: &[u8]) -> usize {
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(piece);
    let mut record = csv::ByteRecord::new();
    let mut n = 0;
    loop {
        match reader.read_byte_record(&mut record) {
            Ok(false) => return n,
            Ok(true) | Err(_) => n += 1,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "ref,id_number,name,residence_unit,registered_on,hukou_local,registered_unemployed,able_to_work,willing_to_be_assisted";

    /// The check character of an ID number's first 17 digits (GB 11643).
    fn check_char(first17: &str) -> char {
        const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
        let sum: u32 = first17.chars().zip(WEIGHTS).map(|(c, w)| c.to_digit(10).unwrap() * w).sum();
        b"10X98765432"[(sum % 11) as usize] as char
    }

    fn registration_file(blank_lines: bool) -> String {
        let mut text = format!("{HEADER}\r\n");
        for i in 0..23 {
            let seq = format!("{:03}", 100 + i);
            let check = check_char(&format!("44010619750101{seq}"));
            text.push_str(&format!(
                "r{i},44010619750101{seq}{check},张{i},440104011,2016-03-01,true,true,true,true\r\n"
            ));
            if blank_lines && i % 5 == 0 {
                // An empty line (the reader skips it), a row of empty cells (read and passed
                // over) and a bad row, each of which moves the row numbers differently.
                text.push_str("\r\n,,,,,,,,\r\nbad,1234,李四,440104011,2016-03-01,true,true,true,true\r\n");
            }
        }
        text.push_str("last,440106197501011232,王五,440104011,2016-03-01,true,true,true,true");
        text
    }

    #[test]
    fn csv_batches_number_rows_as_the_whole_file_does() {
        let today = Date::parse("2026-11-26").unwrap();
        for blank_lines in [false, true] {
            let text = registration_file(blank_lines);
            let whole = read_csv(text.as_bytes(), today, Lang::En).unwrap();
            assert!(whole.iter().filter(|r| r.is_err()).count() == if blank_lines { 5 } else { 0 }, "{whole:?}");
            for batch in [1, 4, 7, 100] {
                let batches: Vec<_> = csv_batches(text.clone().into_bytes(), batch, today, Lang::En).unwrap().collect();
                assert!(batches.len() > 1 || batch == 100, "cut into batches");
                assert_eq!(batches.concat(), whole, "batches of {batch} lines");
            }
            // With a quote anywhere the file is read whole: a quoted value may hold a line break.
            let quoted = text.replacen("张1,", "\"张\n1\",", 1);
            let batches: Vec<_> = csv_batches(quoted.clone().into_bytes(), 4, today, Lang::En).unwrap().collect();
            assert_eq!(batches.concat(), read_csv(quoted.as_bytes(), today, Lang::En).unwrap());
        }
    }

    #[test]
    fn csv_batches_refuse_a_bad_header_before_any_row() {
        let today = Date::parse("2026-11-26").unwrap();
        let text = registration_file(false).replacen("hukou_local", "hukou_locl", 1);
        assert!(
            matches!(csv_batches(text.into_bytes(), 4, today, Lang::En), Err(FileError::UnknownColumn(c)) if c == "hukou_locl")
        );
    }

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

    /// A `Write` whose bytes the test can read after the writer thread is done.
    #[derive(Clone, Default)]
    struct Shared(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

    impl Write for Shared {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn pieces_keep_input_order() {
        let text: Vec<u8> = (0..200_000).flat_map(|i| format!("{i}\n").into_bytes()).collect();
        let shared = Shared::default();
        let mut out = Output::spawn(shared.clone());
        out.write_all(b"header\n").unwrap();
        let tally = in_pieces(&text, &mut out, &|piece, buf, t| {
            for line in piece.split(|&b| b == b'\n') {
                buf.extend_from_slice(line);
                buf.push(b'\n');
                t.results += 1;
            }
        })
        .unwrap();
        out.write_all(b"tail").unwrap();
        out.finish().unwrap();
        let written = shared.0.lock().unwrap().clone();
        assert_eq!(written, [&b"header\n"[..], &text, b"tail"].concat());
        assert_eq!(tally.results, 200_000);
    }
}
