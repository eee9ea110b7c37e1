//! A cheap copy of one open document, taken under the session lock by the
//! requests that run the model (hover, inlay hints, completion, code action
//! resolve): text, version, language, settings and the negotiated encoding,
//! with the position conversions they need once the lock is released.

use std::ops::Range;

use margin_syntax::Language;
use ropey::Rope;
use tower_lsp_server::jsonrpc::{Error, Result};
use tower_lsp_server::ls_types::{self, Uri};

use super::api::requests::{content_modified, out_of_sync, unknown_document};
use super::session::Session;
use super::{from_proto, to_proto};
use crate::config::Settings;
use crate::text::{positions, Encoding, PositionError};

pub struct Snapshot {
    pub uri: Uri,
    pub rope: Rope,
    pub text: String,
    pub version: i32,
    pub lang: Language,
    pub settings: Settings,
    pub enc: Encoding,
}

impl Snapshot {
    /// The document as it is now. `Ok(None)` when margin leaves it alone (disabled, skipped,
    /// an unknown language); errors for an unknown or out-of-sync document.
    pub fn take(session: &Session, uri: &Uri) -> Result<Option<Snapshot>> {
        let mut state = session.lock();
        let disabled = state.is_disabled(uri);
        let (enc, settings) = (state.encoding, state.settings.clone());
        let doc = state
            .documents
            .get(uri)
            .ok_or_else(|| unknown_document(uri))?;
        if !doc.in_sync() {
            return Err(out_of_sync(uri));
        }
        if disabled || !settings.enable || doc.skipped().is_some() {
            return Ok(None);
        }
        let Some(lang) = doc.language() else {
            return Ok(None);
        };
        Ok(Some(Snapshot {
            uri: uri.clone(),
            rope: doc.rope().clone(),
            text: doc.text(),
            version: doc.version(),
            lang,
            settings,
            enc,
        }))
    }

    /// The document at `version`, for resolving an action computed for it: `ContentModified`
    /// if it changed since, an error if margin is now off for it.
    pub fn take_at(session: &Session, uri: &Uri, version: i32) -> Result<Snapshot> {
        let snap = Self::take(session, uri)?
            .ok_or_else(|| Error::invalid_params("margin is off for this document"))?;
        if snap.version != version {
            return Err(content_modified(
                "the document changed; ask for code actions again".into(),
            ));
        }
        Ok(snap)
    }

    /// Byte offset of a client position.
    pub fn offset(
        &self,
        position: ls_types::Position,
    ) -> std::result::Result<usize, PositionError> {
        positions::to_offset(&self.rope, from_proto::line_col(position), self.enc)
    }

    /// Byte range of a client range.
    pub fn byte_range(
        &self,
        range: ls_types::Range,
    ) -> std::result::Result<Range<usize>, PositionError> {
        positions::to_range(
            &self.rope,
            from_proto::line_col(range.start),
            from_proto::line_col(range.end),
            self.enc,
        )
    }

    /// Client range of a byte range.
    pub fn range(&self, bytes: Range<usize>) -> ls_types::Range {
        ls_types::Range::new(
            to_proto::position(positions::to_line_col(&self.rope, bytes.start, self.enc)),
            to_proto::position(positions::to_line_col(&self.rope, bytes.end, self.enc)),
        )
    }

    /// Whether the document is still at this version (results for older text are dropped).
    pub fn is_current(&self, session: &Session) -> bool {
        session
            .lock()
            .documents
            .get(&self.uri)
            .is_some_and(|d| d.version() == self.version && d.in_sync())
    }
}
