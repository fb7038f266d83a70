//! The person's file (一人一档, 第十九条) as one typed document: what storage keeps of the person,
//! and one section per capability. The API shows it as JSON (documented in OpenAPI by these
//! types) and the file page reads the same sections, so the two cannot drift apart.
//!
//! A new capability adds its section with one line in [`sections!`] below: a field, its type
//! and the function that loads it (kept in the capability's own use-case module). The sections
//! are read together, each on a connection of its own, after the stored file: the file takes as
//! long as its slowest section, not their sum.

use yuanzhu_storage::applications::StoredApplication;
use yuanzhu_storage::persons::{self, PersonFile};
use yuanzhu_storage::revocations::{ContactRecord, Proposal};

use crate::auth::AuthUser;
use crate::error::ApiError;
use crate::service::households::{HouseholdView, JoinOfPerson};
use crate::state::AppState;

/// What a section is loaded from: who asks, and the stored file it belongs to.
pub struct FileCtx<'a> {
    pub state: &'a AppState,
    pub user: &'a AuthUser,
    pub file: &'a PersonFile,
}

impl std::fmt::Debug for FileCtx<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FileCtx").field("user", &self.user.account.username).finish_non_exhaustive()
    }
}

impl FileCtx<'_> {
    pub fn id_number(&self) -> &str {
        &self.file.person.id_number
    }
}

/// Declares the sections once: the struct, its OpenAPI schema and the concurrent read.
macro_rules! sections {
    ($($(#[doc = $doc:literal])* $name:ident: $ty:ty = $load:path;)*) => {
        /// The file's sections beyond what storage keeps of the person itself.
        #[derive(Debug, serde::Serialize, utoipa::ToSchema)]
        pub struct Sections {
            $($(#[doc = $doc])* pub $name: $ty,)*
        }

        impl Sections {
            async fn load(cx: &FileCtx<'_>) -> Result<Sections, ApiError> {
                let ($($name,)*) = tokio::try_join!($($load(cx),)*)?;
                Ok(Sections { $($name,)* })
            }
        }
    };
}

sections! {
    /// The ledger (台帐, 第十九条): services given and placements, in date order.
    ledger: Vec<crate::service::assistance::LedgerEntryJson> = crate::service::assistance::file_section;
    /// Assistance plans (第十二条第（一）项), newest first.
    plans: Vec<crate::service::assistance::PlanJson> = crate::service::assistance::plans_section;
    /// Applications for recognition (第五条), oldest first.
    applications: Vec<StoredApplication> = crate::service::applications::file_section;
    /// Attempts to reach the person (第六条第（一）项's month without contact starts from them).
    contacts: Vec<ContactRecord> = crate::service::revocations::contacts_section;
    /// Proposals to revoke the person's status (第六条), oldest first.
    revocation_proposals: Vec<Proposal> = crate::service::revocations::proposals_section;
    /// The household today as the caller may see it: members outside the caller's jurisdiction
    /// masked.
    household: Option<HouseholdView> = crate::service::households::file_section;
    /// The person's claims to join households, pending or decided.
    household_joins: Vec<JoinOfPerson> = crate::service::households::joins_section;
}

/// The whole file: facts, categories, recognitions, registrations and timeline as stored, and
/// the sections beside them.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct WholeFile {
    #[serde(flatten)]
    pub file: PersonFile,
    #[serde(flatten)]
    pub sections: Sections,
}

/// The whole file of a registered person as `user` may see it, or `None`. Access is the
/// caller's to check first; identities are masked by the adapter that shows them.
pub async fn load(state: &AppState, user: &AuthUser, id_number: &str) -> Result<Option<WholeFile>, ApiError> {
    let Some(file) = persons::file(&state.store, id_number).await? else { return Ok(None) };
    let sections = Sections::load(&FileCtx { state, user, file: &file }).await?;
    Ok(Some(WholeFile { file, sections }))
}
