//! The UniFFI layer over `doorstep-core`. It only wraps and forwards: no rule lives here.
//! Filled in by the bindings issue; see `bindings/README.md`.
