//! The kinds of refusal that cross the wire: one enum for the server that answers, the device
//! that reads the answer, the bindings that hand it to an app and the words a technician reads.
//!
//! Phones run older versions than the server (docs/sync-protocol.md, "Newer servers, older
//! apps"), so a kind this build does not know reads as [`ErrorKind::Unknown`] and is acted on by
//! what its HTTP status says ([`ErrorKind::or_status`]), never as an unreadable answer.

use serde::{Deserialize, Serialize};

/// A stable, machine-readable kind of refusal: the `error` of every [`super::ErrorBody`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// The body is not JSON, or not the message the endpoint reads; a bad query.
    Malformed,
    /// No credential, a wrong one, a wrong, used or expired enrollment code.
    Unauthorized,
    /// The device was revoked by the back office.
    Revoked,
    /// Outside the technician's scope.
    Forbidden,
    /// A record the request names that the server does not hold; no such endpoint.
    NotFound,
    /// An endpoint asked with a method it does not answer.
    MethodNotAllowed,
    /// A unique key taken, or a sealed record that differs from what is stored.
    Conflict,
    /// A body or a photo over the server's limits (or a proxy's).
    TooLarge,
    /// An operation or a request that breaks a rule.
    Invalid,
    /// A sealed form whose digest or signatures do not match its content.
    FormTampered,
    /// Uploaded photo bytes whose SHA-256 is not the hash they were sent under.
    PhotoMismatch,
    /// The server failed; nothing of the request was applied.
    Internal,
    /// A kind this build does not know (a newer server's), or an answer with no kind at all (a
    /// proxy's page): what it means is what its HTTP status says.
    #[serde(other)]
    Unknown,
}

impl ErrorKind {
    /// Every kind a server of this version sends, in the order docs/sync-protocol.md lists them.
    pub const SENT: [ErrorKind; 12] = [
        ErrorKind::Malformed,
        ErrorKind::Unauthorized,
        ErrorKind::Revoked,
        ErrorKind::Forbidden,
        ErrorKind::NotFound,
        ErrorKind::MethodNotAllowed,
        ErrorKind::Conflict,
        ErrorKind::TooLarge,
        ErrorKind::Invalid,
        ErrorKind::FormTampered,
        ErrorKind::PhotoMismatch,
        ErrorKind::Internal,
    ];

    /// The name on the wire (and in the device's list of refused operations).
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::Malformed => "malformed",
            ErrorKind::Unauthorized => "unauthorized",
            ErrorKind::Revoked => "revoked",
            ErrorKind::Forbidden => "forbidden",
            ErrorKind::NotFound => "not_found",
            ErrorKind::MethodNotAllowed => "method_not_allowed",
            ErrorKind::Conflict => "conflict",
            ErrorKind::TooLarge => "too_large",
            ErrorKind::Invalid => "invalid",
            ErrorKind::FormTampered => "form_tampered",
            ErrorKind::PhotoMismatch => "photo_mismatch",
            ErrorKind::Internal => "internal",
            ErrorKind::Unknown => "unknown",
        }
    }

    /// A stored or sent name read back; a name this build does not know is `Unknown`.
    pub fn parse(name: &str) -> ErrorKind {
        ErrorKind::SENT
            .into_iter()
            .find(|k| k.as_str() == name)
            .unwrap_or(ErrorKind::Unknown)
    }

    /// The HTTP status a server answers this kind with.
    pub fn status(self) -> u16 {
        match self {
            ErrorKind::Malformed => 400,
            ErrorKind::Unauthorized | ErrorKind::Revoked => 401,
            ErrorKind::Forbidden => 403,
            ErrorKind::NotFound => 404,
            ErrorKind::MethodNotAllowed => 405,
            ErrorKind::Conflict => 409,
            ErrorKind::TooLarge => 413,
            ErrorKind::Invalid | ErrorKind::FormTampered | ErrorKind::PhotoMismatch => 422,
            ErrorKind::Internal | ErrorKind::Unknown => 500,
        }
    }

    /// What a refusal means to a client: the kind itself when this build knows it, else what
    /// its HTTP status says (a proxy's 413 is handled as the server's `too_large` would be; a
    /// newer server's 403 as `forbidden`). A status that says nothing more stays `Unknown`.
    pub fn or_status(self, status: u16) -> ErrorKind {
        if self != ErrorKind::Unknown {
            return self;
        }
        match status {
            400 => ErrorKind::Malformed,
            401 => ErrorKind::Unauthorized,
            403 => ErrorKind::Forbidden,
            404 => ErrorKind::NotFound,
            405 => ErrorKind::MethodNotAllowed,
            409 => ErrorKind::Conflict,
            413 => ErrorKind::TooLarge,
            422 => ErrorKind::Invalid,
            500..=599 => ErrorKind::Internal,
            _ => ErrorKind::Unknown,
        }
    }

    /// A refusal of one photo's upload (its bytes, its size, its request): it sets that photo
    /// aside until it is taken again, not the sync.
    pub fn refuses_one_photo(self) -> bool {
        matches!(
            self,
            ErrorKind::PhotoMismatch
                | ErrorKind::Invalid
                | ErrorKind::TooLarge
                | ErrorKind::Malformed
        )
    }
}

impl std::fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::ErrorKind;

    #[test]
    fn every_kind_is_named_on_the_wire_as_serde_names_it_and_reads_back() {
        for kind in ErrorKind::SENT.into_iter().chain([ErrorKind::Unknown]) {
            let json = serde_json::to_string(&kind).unwrap();
            assert_eq!(json, format!("\"{}\"", kind.as_str()));
            assert_eq!(serde_json::from_str::<ErrorKind>(&json).unwrap(), kind);
            assert_eq!(ErrorKind::parse(kind.as_str()), kind);
        }
    }

    #[test]
    fn an_older_app_reads_a_newer_servers_kind_by_its_status() {
        let kind: ErrorKind = serde_json::from_str("\"quota_exceeded\"").unwrap();
        assert_eq!(kind, ErrorKind::Unknown);
        assert_eq!(ErrorKind::parse("quota_exceeded"), ErrorKind::Unknown);
        assert_eq!(kind.or_status(413), ErrorKind::TooLarge);
        assert_eq!(kind.or_status(403), ErrorKind::Forbidden);
        assert_eq!(kind.or_status(503), ErrorKind::Internal);
        assert_eq!(kind.or_status(418), ErrorKind::Unknown);
        // A kind this build knows keeps its meaning whatever the status.
        assert_eq!(ErrorKind::Revoked.or_status(403), ErrorKind::Revoked);
    }

    #[test]
    fn a_server_answers_each_kind_with_the_status_an_older_app_reads_it_by() {
        for kind in ErrorKind::SENT {
            // Revoked and the 422s share a status with a broader kind; the rest read back.
            let back = ErrorKind::Unknown.or_status(kind.status());
            match kind {
                ErrorKind::Revoked => assert_eq!(back, ErrorKind::Unauthorized),
                ErrorKind::FormTampered | ErrorKind::PhotoMismatch => {
                    assert_eq!(back, ErrorKind::Invalid)
                }
                _ => assert_eq!(back, kind),
            }
        }
    }

    #[test]
    fn the_protocol_document_lists_every_kind_the_server_sends_and_no_other() {
        let doc = include_str!("../../../../docs/sync-protocol.md");
        let table: Vec<(u16, &str)> = doc
            .lines()
            .filter_map(|line| {
                let cells: Vec<&str> = line.split('|').map(str::trim).collect();
                let status = cells.get(1)?.parse().ok()?;
                let name = cells.get(2)?.strip_prefix('`')?.strip_suffix('`')?;
                Some((status, name))
            })
            .collect();
        let expected: Vec<(u16, &str)> = ErrorKind::SENT
            .into_iter()
            .map(|k| (k.status(), k.as_str()))
            .collect();
        assert_eq!(table, expected, "docs/sync-protocol.md's table of errors");
    }
}
