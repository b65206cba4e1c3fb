//! Any bytes, read as UTF-8 (invalid sequences replaced), through the program parser: it
//! must answer, and an error's span must lie in the text on character boundaries and
//! render as the command line prints it.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Err(e) = gradscope::program::parse(&text) {
        assert!(e.start <= e.end && e.end <= text.len(), "{e:?}");
        assert!(
            text.is_char_boundary(e.start) && text.is_char_boundary(e.end),
            "{e:?}"
        );
        assert!(!e.message.is_empty());
        let _ = e.render(&text);
    }
});
