//! Export loading with spans, and schema validation (CD001-CD004).

pub mod model;
