//! Deciding a push (DESIGN.md, "Sync protocol"): the protocol's checks, then every new mutation
//! decided in order, in memory, over the records it reads, before anything is written. The server
//! runs this between reading and writing its database and the simulation runs it over its own map,
//! so the rule that is tested is the rule that runs.
//!
//! [`PushDecision`] does no I/O: it says what it lacks ([`Wanted`]) — first the records the
//! mutations name, then the customers those hang from, when a customer changes hands the records
//! hanging from it, and when a person changes units the customers and deals they own — and the caller reads them and [`PushDecision::supply`]s them. A
//! mutation that stops for records has written nothing and is decided again from its start. The end
//! is [`PushWrites`]: the answer, the audit trail and everything to store in one transaction.

mod decide;
mod workspace;

use std::{collections::BTreeSet, fmt};

use super::{
    apply::StoredRecord,
    clock::ServerClock,
    hlc::Hlc,
    protocol::{
        Mutation, Outcome, PushRequest, PushResponse, RecordRef, Rejection, MAX_MUTATIONS_PER_PUSH,
    },
};
use crate::{
    domain::ValidationError,
    id::is_record_id,
    locale::Locale,
    permission::Permissions,
    scope::{OrgTree, Role, ScopeFacts, Viewer},
};
use workspace::Workspace;

/// A record as the server keeps it: its state, the version of its last write and the scope facts
/// computed at that write.
#[derive(Clone, Debug, PartialEq)]
pub struct ServerRecord {
    pub version: i64,
    pub state: StoredRecord,
    pub scope: ScopeFacts,
}

/// Who pushes.
#[derive(Clone, Debug)]
pub struct Author {
    pub user_id: String,
    pub role: Role,
    pub unit_id: String,
    /// The admin CLI (seed, import): trusted with references, because it writes whole data sets
    /// whose records name each other in any order (a unit's manager is a person of that unit).
    pub system: bool,
}

/// A device's row on the server: whose device it is and the last mutation processed from it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientState {
    pub user_id: String,
    pub last_mutation_id: u64,
}

/// What the server holds when a push starts, besides the records the push reads.
#[derive(Clone, Debug)]
pub struct PushContext {
    pub author: Author,
    pub org: OrgTree,
    /// The company's permission table.
    pub permissions: Permissions,
    /// The version counter as the push found it; each write takes the next one.
    pub version: i64,
    /// The server's clock, which admits every stamp of the push.
    pub now_millis: u64,
}

/// Why a whole push is refused: nothing of it is applied or recorded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PushRefusal {
    InvalidClientId,
    /// More than [`MAX_MUTATIONS_PER_PUSH`]: the client sends the rest in another push.
    TooManyMutations,
    /// Ids within one push must increase by one.
    NotConsecutive {
        previous: u64,
        next: u64,
    },
    /// A mutation id of 0, or above the largest the server stores (2^63 - 1).
    IdOutOfRange,
    /// A mutation a device should never have made (wrong ids, fields or values).
    Invalid {
        id: u64,
        error: ValidationError,
    },
    /// The client id belongs to another user; a device makes a new one per user.
    ForeignClient,
    /// The first new mutation is not the one after the last processed: the earlier ones come first.
    Gap {
        expected: u64,
        got: u64,
    },
}

impl fmt::Display for PushRefusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidClientId => f.write_str("client_id must be a UUID made on the device"),
            Self::TooManyMutations => write!(
                f,
                "a push may carry at most {MAX_MUTATIONS_PER_PUSH} mutations; send the rest in another push"
            ),
            Self::NotConsecutive { previous, next } => write!(
                f,
                "mutation ids must increase by one within a push: {next} follows {previous}"
            ),
            Self::IdOutOfRange => write!(
                f,
                "mutation ids start at 1 and stay at most {MAX_MUTATION_ID}"
            ),
            Self::Invalid { id, error } => {
                write!(f, "mutation {id}: {}", error.message(Locale::En))
            }
            Self::ForeignClient => f.write_str(
                "this client id belongs to another user; a device makes a new client id per user",
            ),
            Self::Gap { expected, got } => write!(
                f,
                "mutation {got} arrived but the server expects {expected} next; push the missing mutations first"
            ),
        }
    }
}

impl std::error::Error for PushRefusal {}

/// The largest mutation id: the server stores ids as signed 64-bit numbers.
pub const MAX_MUTATION_ID: u64 = i64::MAX as u64;

/// Checks everything about a push that needs no stored state, so a malformed push changes nothing.
pub fn validate_push(request: &PushRequest) -> Result<(), PushRefusal> {
    if !is_record_id(&request.client_id) {
        return Err(PushRefusal::InvalidClientId);
    }
    if request.mutations.len() > MAX_MUTATIONS_PER_PUSH {
        return Err(PushRefusal::TooManyMutations);
    }
    for pair in request.mutations.windows(2) {
        if pair[0].id.checked_add(1) != Some(pair[1].id) {
            return Err(PushRefusal::NotConsecutive {
                previous: pair[0].id,
                next: pair[1].id,
            });
        }
    }
    for mutation in &request.mutations {
        if mutation.id == 0 || mutation.id > MAX_MUTATION_ID {
            return Err(PushRefusal::IdOutOfRange);
        }
        mutation
            .intent
            .validate()
            .map_err(|error| PushRefusal::Invalid {
                id: mutation.id,
                error,
            })?;
    }
    Ok(())
}

/// Records the decision must read before it can go on.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Wanted {
    /// These records, tombstones included; any not supplied is taken as never stored.
    Records(Vec<RecordRef>),
    /// The live records, other than customers, whose scope hangs from this customer.
    ChildrenOf(String),
    /// The live customers and opportunities this user owns (`owner_id`): what may follow them when
    /// they move to another unit (`org_chart::reassign::follows_person`).
    OwnedBy(String),
    /// The live targets whose parent is this target: its breakdown, which must add up before it is
    /// approved (`targets::approval::adds_up`).
    Breakdown(String),
}

impl Wanted {
    /// Does this stored record answer the request? What a store held in memory (the simulation,
    /// tests) reads by; the server asks its database the same in SQL.
    pub fn answers(&self, key: &RecordRef, row: &ServerRecord) -> bool {
        match self {
            Wanted::Records(keys) => keys.contains(key),
            Wanted::ChildrenOf(customer) => {
                key.collection != crate::domain::Collection::Customer
                    && !row.state.deleted
                    && row.scope.customer_id.as_ref() == Some(customer)
            }
            Wanted::OwnedBy(user) => {
                matches!(
                    key.collection,
                    crate::domain::Collection::Customer | crate::domain::Collection::Opportunity
                ) && !row.state.deleted
                    && row
                        .state
                        .fields
                        .get("owner_id")
                        .and_then(serde_json::Value::as_str)
                        == Some(user.as_str())
            }
            Wanted::Breakdown(parent) => {
                key.collection == crate::domain::Collection::Target
                    && !row.state.deleted
                    && row
                        .state
                        .fields
                        .get("parent_id")
                        .and_then(serde_json::Value::as_str)
                        == Some(parent.as_str())
            }
        }
    }
}

/// One processed mutation, for the audit trail.
#[derive(Clone, Debug, PartialEq)]
pub struct Verdict<'a> {
    pub mutation: &'a Mutation,
    /// The stamp as the server's clock admitted it.
    pub hlc: Hlc,
    /// The version written, if the mutation changed its record.
    pub version: Option<i64>,
    pub rejection: Option<Rejection>,
}

/// A record that changed scope: a pull tells whoever saw it before and cannot now.
#[derive(Clone, Debug, PartialEq)]
pub struct ScopeMove {
    pub version: i64,
    pub record: RecordRef,
    pub old_scope: ScopeFacts,
}

/// Whose scope a push changed: their next pull answers "reset".
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EpochBumps {
    pub users: BTreeSet<String>,
    /// The org tree changed shape: every subtree, so every user's scope, may differ.
    pub everyone: bool,
}

/// Everything a decided push stores, in one transaction, and its answer.
#[derive(Clone, Debug, PartialEq)]
pub struct PushWrites<'a> {
    pub response: PushResponse,
    /// One per new mutation, applied or rejected.
    pub verdicts: Vec<Verdict<'a>>,
    /// Each record written, in its final state, in the order first written.
    pub records: Vec<(RecordRef, ServerRecord)>,
    pub moves: Vec<ScopeMove>,
    pub epochs: EpochBumps,
    /// The version counter after the push.
    pub version: i64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Stage {
    /// The records the new mutations name.
    Targets,
    /// The customers the records read so far hang from, for scope facts and a rep's own customers.
    Parents,
    /// Everything prefetched: which of the customers read the author owns.
    Owners,
    Deciding,
}

/// A push being decided: start it, read what [`advance`](Self::advance) asks for until it asks for
/// nothing, then [`finish`](Self::finish).
#[derive(Debug)]
pub struct PushDecision<'a> {
    request: &'a PushRequest,
    /// Where the mutations not processed by an earlier push begin; those before are duplicates.
    first_new: usize,
    /// The admitted stamp of each new mutation, admitted once and in order.
    stamps: Vec<Hlc>,
    system: bool,
    viewer: Viewer,
    org: OrgTree,
    permissions: Permissions,
    version: i64,
    ws: Workspace,
    stage: Stage,
    /// New mutations decided so far.
    decided: usize,
    asked: Option<Wanted>,
    outcomes: Vec<Outcome>,
    verdicts: Vec<Verdict<'a>>,
    epochs: EpochBumps,
    last_mutation_id: u64,
}

impl<'a> PushDecision<'a> {
    /// Starts deciding a push that [`validate_push`] accepted, from a device whose row is `client`
    /// (`None` for its first push): mutations already processed are answered as duplicates, and a
    /// push from another user's device or one that skips mutations is refused whole.
    pub fn start(
        request: &'a PushRequest,
        client: Option<&ClientState>,
        context: PushContext,
    ) -> Result<Self, PushRefusal> {
        let PushContext {
            author,
            org,
            permissions,
            version,
            now_millis,
        } = context;
        let last = match client {
            Some(client) if client.user_id != author.user_id => {
                return Err(PushRefusal::ForeignClient)
            }
            Some(client) => client.last_mutation_id,
            None => 0,
        };
        let first_new = request
            .mutations
            .iter()
            .position(|m| m.id > last)
            .unwrap_or(request.mutations.len());
        let new = &request.mutations[first_new..];
        if let Some(first) = new.first() {
            if first.id != last + 1 {
                return Err(PushRefusal::Gap {
                    expected: last + 1,
                    got: first.id,
                });
            }
        }
        let mut clock = ServerClock::new(now_millis);
        let stamps = new.iter().map(|m| clock.admit(&m.hlc)).collect();
        let outcomes = request.mutations[..first_new]
            .iter()
            .map(|m| Outcome::Duplicate { id: m.id })
            .collect();
        Ok(Self {
            request,
            first_new,
            stamps,
            system: author.system,
            viewer: Viewer {
                user_id: author.user_id,
                role: author.role,
                unit_id: author.unit_id,
                own_customers: Default::default(),
            },
            org,
            permissions,
            version,
            ws: Workspace::default(),
            stage: Stage::Targets,
            decided: 0,
            asked: None,
            outcomes,
            verdicts: Vec::with_capacity(new.len()),
            epochs: EpochBumps::default(),
            last_mutation_id: last,
        })
    }

    /// Decides as far as the records supplied allow. `Some` names what to read and supply before
    /// calling again; `None` means every mutation is decided.
    pub fn advance(&mut self) -> Option<Wanted> {
        let request = self.request;
        let new = &request.mutations[self.first_new..];
        loop {
            match self.stage {
                Stage::Targets => {
                    self.stage = Stage::Parents;
                    let keys = new.iter().flat_map(|m| decide::keys_read_by(&m.intent));
                    if let Some(wanted) = self.ask_records(keys.collect()) {
                        return Some(wanted);
                    }
                }
                Stage::Parents => {
                    self.stage = Stage::Owners;
                    if let Some(wanted) = self.ask_records(self.ws.parents()) {
                        return Some(wanted);
                    }
                }
                Stage::Owners => {
                    self.stage = Stage::Deciding;
                    self.viewer.own_customers = self.ws.owned_customers(&self.viewer.user_id);
                }
                Stage::Deciding => break,
            }
        }
        while let Some(mutation) = new.get(self.decided) {
            let hlc = self.stamps[self.decided].clone();
            let (version, rejection) = match self.decide(&mutation.intent, &hlc) {
                Ok(version) => (version, None),
                Err(decide::Failure::Rejected(reason)) => (None, Some(reason)),
                Err(decide::Failure::Wants(wanted)) => {
                    self.asked = Some(wanted.clone());
                    return Some(wanted);
                }
            };
            self.outcomes.push(match &rejection {
                None => Outcome::Applied { id: mutation.id },
                Some(reason) => Outcome::Rejected {
                    id: mutation.id,
                    reason: reason.clone(),
                },
            });
            self.verdicts.push(Verdict {
                mutation,
                hlc,
                version,
                rejection,
            });
            self.last_mutation_id = mutation.id;
            self.decided += 1;
        }
        None
    }

    /// What was read for the last [`Wanted`]: the records found (a record's key and its stored row).
    /// Records already held keep the state this push gave them.
    pub fn supply(&mut self, found: impl IntoIterator<Item = (RecordRef, ServerRecord)>) {
        match self.asked.take() {
            Some(Wanted::Records(keys)) => self.ws.load(found, keys),
            Some(scan) => self.ws.load_scan(found, scan),
            None => self.ws.load(found, Vec::new()),
        }
    }

    /// The push's answer and writes, once [`advance`](Self::advance) asks for nothing more.
    pub fn finish(self) -> PushWrites<'a> {
        let (records, moves) = self.ws.into_writes();
        PushWrites {
            response: PushResponse {
                last_mutation_id: self.last_mutation_id,
                outcomes: self.outcomes,
            },
            verdicts: self.verdicts,
            records,
            moves,
            epochs: self.epochs,
            version: self.version,
        }
    }

    /// Asks for the records among `keys` not held yet, if any.
    fn ask_records(&mut self, keys: Vec<RecordRef>) -> Option<Wanted> {
        let unknown = self.ws.unknown(keys);
        if unknown.is_empty() {
            return None;
        }
        let wanted = Wanted::Records(unknown);
        self.asked = Some(wanted.clone());
        Some(wanted)
    }
}

#[cfg(test)]
mod tests;
