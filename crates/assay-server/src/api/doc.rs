//! What a route reads besides its path: the request body and the query string, named by the
//! types its handler extracts. The route table carries them, so the OpenAPI document
//! describes every body and query parameter from the code (JSON Schema 2020-12 by
//! `schemars`), never from a hand-kept copy.

use schemars::{JsonSchema, Schema, SchemaGenerator};

/// Writes the schema of one type into a generator (a reference to `components/schemas` for
/// a named type).
pub type SchemaFn = fn(&mut SchemaGenerator) -> Schema;

fn schema_of<T: JsonSchema>(g: &mut SchemaGenerator) -> Schema {
    g.subschema_for::<T>()
}

/// A request body.
#[derive(Debug, Clone, Copy)]
pub enum Body {
    /// `application/json`, read as this type.
    Json(SchemaFn),
    /// `application/x-www-form-urlencoded`, read as this type.
    Form(SchemaFn),
    /// The bytes of a file, streamed.
    File,
}

/// The request body and query string a route reads; nothing by default.
#[derive(Debug, Clone, Copy, Default)]
pub struct Doc {
    /// The body, when it reads one.
    pub body: Option<Body>,
    /// The query string's fields, when it reads any (each property is one parameter).
    pub query: Option<SchemaFn>,
}

impl Doc {
    /// `doc` in place of this one (the route table's way to give a route its own).
    pub fn with(self, doc: Doc) -> Doc {
        doc
    }

    /// A JSON body of type `T`.
    pub fn json<T: JsonSchema>() -> Doc {
        Doc {
            body: Some(Body::Json(schema_of::<T>)),
            query: None,
        }
    }

    /// A form body of type `T`.
    pub fn form<T: JsonSchema>() -> Doc {
        Doc {
            body: Some(Body::Form(schema_of::<T>)),
            query: None,
        }
    }

    /// Query parameters of type `T`.
    pub fn query<T: JsonSchema>() -> Doc {
        Doc::default().and_query::<T>()
    }

    /// A streamed file body, with query parameters of type `T`.
    pub fn file_with<T: JsonSchema>() -> Doc {
        Doc {
            body: Some(Body::File),
            query: Some(schema_of::<T>),
        }
    }

    /// This, with query parameters of type `T`.
    pub fn and_query<T: JsonSchema>(mut self) -> Doc {
        self.query = Some(schema_of::<T>);
        self
    }
}
