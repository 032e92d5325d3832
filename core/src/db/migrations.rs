//! Numbered schema migrations, recorded in the `migration` table.
//!
//! Each migration runs in one transaction together with the row that records it, so a crash
//! leaves either all of it or none, and running start-up twice applies nothing twice. Two
//! instances starting at once race on the `migration:N` record; the loser sees a conflict,
//! re-reads and finds the work done.

use super::{Db, DbError};

pub(crate) struct Migration {
    pub version: u32,
    pub name: &'static str,
    pub sql: &'static str,
}

pub(crate) const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "identity: organisations, users, sessions",
        sql: r#"
DEFINE TABLE IF NOT EXISTS org SCHEMAFULL;
DEFINE FIELD IF NOT EXISTS name ON org TYPE string ASSERT string::len($value) >= 1 AND string::len($value) <= 120;
DEFINE FIELD IF NOT EXISTS kind ON org TYPE string ASSERT $value IN ['social_services', 'police', 'ngo', 'other'];
DEFINE FIELD IF NOT EXISTS municipalities ON org TYPE array<string> ASSERT array::len($value) >= 1 AND array::len($value) <= 20;
DEFINE FIELD IF NOT EXISTS active ON org TYPE bool;
DEFINE FIELD IF NOT EXISTS version ON org TYPE int;
DEFINE FIELD IF NOT EXISTS created_at ON org TYPE datetime;
DEFINE INDEX IF NOT EXISTS org_name ON org FIELDS name UNIQUE;

DEFINE TABLE IF NOT EXISTS user SCHEMAFULL;
DEFINE FIELD IF NOT EXISTS username ON user TYPE string ASSERT $value = /^[a-z0-9._-]{3,64}$/;
DEFINE FIELD IF NOT EXISTS display_name ON user TYPE string ASSERT string::len($value) >= 1 AND string::len($value) <= 120;
DEFINE FIELD IF NOT EXISTS org ON user TYPE string;
DEFINE FIELD IF NOT EXISTS role ON user TYPE string ASSERT $value IN ['case_worker', 'program_lead', 'partner', 'police', 'auditor', 'admin'];
DEFINE FIELD IF NOT EXISTS password_hash ON user TYPE string;
DEFINE FIELD IF NOT EXISTS active ON user TYPE bool;
DEFINE FIELD IF NOT EXISTS failed_logins ON user TYPE int;
DEFINE FIELD IF NOT EXISTS locked_until ON user TYPE option<datetime>;
DEFINE FIELD IF NOT EXISTS version ON user TYPE int;
DEFINE FIELD IF NOT EXISTS created_at ON user TYPE datetime;
DEFINE INDEX IF NOT EXISTS user_username ON user FIELDS username UNIQUE;
DEFINE INDEX IF NOT EXISTS user_org ON user FIELDS org;

DEFINE TABLE IF NOT EXISTS session SCHEMAFULL;
DEFINE FIELD IF NOT EXISTS user ON session TYPE string;
DEFINE FIELD IF NOT EXISTS created_at ON session TYPE datetime;
DEFINE FIELD IF NOT EXISTS last_seen ON session TYPE datetime;
DEFINE FIELD IF NOT EXISTS expires_at ON session TYPE datetime;
DEFINE INDEX IF NOT EXISTS session_user ON session FIELDS user;
"#,
    },
    Migration {
        version: 2,
        name: "participants, cases, consent, break-glass, audit chain, key vault",
        sql: r#"
DEFINE TABLE IF NOT EXISTS participant SCHEMAFULL;
DEFINE FIELD IF NOT EXISTS first_name ON participant TYPE string;
DEFINE FIELD IF NOT EXISTS last_name ON participant TYPE string;
DEFINE FIELD IF NOT EXISTS personnummer ON participant TYPE option<string>;
DEFINE FIELD IF NOT EXISTS phone ON participant TYPE option<string>;
DEFINE FIELD IF NOT EXISTS email ON participant TYPE option<string>;
DEFINE FIELD IF NOT EXISTS address ON participant TYPE option<string>;
DEFINE FIELD IF NOT EXISTS background ON participant TYPE option<string>;
DEFINE FIELD IF NOT EXISTS birth_year ON participant TYPE int ASSERT $value >= 1900 AND $value <= 2100;
DEFINE FIELD IF NOT EXISTS gender ON participant TYPE string ASSERT $value IN ['female', 'male', 'other', 'unknown'];
DEFINE FIELD IF NOT EXISTS municipality ON participant TYPE string ASSERT string::len($value) >= 1 AND string::len($value) <= 60;
DEFINE FIELD IF NOT EXISTS protection ON participant TYPE string ASSERT $value IN ['none', 'sekretessmarkering', 'skyddad_folkbokforing', 'fingerade_personuppgifter'];
DEFINE FIELD IF NOT EXISTS owner_org ON participant TYPE string;
DEFINE FIELD IF NOT EXISTS shredded ON participant TYPE bool;
DEFINE FIELD IF NOT EXISTS version ON participant TYPE int;
DEFINE FIELD IF NOT EXISTS created_at ON participant TYPE datetime;
DEFINE FIELD IF NOT EXISTS created_by ON participant TYPE string;

DEFINE TABLE IF NOT EXISTS participant_key SCHEMAFULL;
DEFINE FIELD IF NOT EXISTS generation ON participant_key TYPE int;
DEFINE FIELD IF NOT EXISTS wrapped ON participant_key TYPE string;
DEFINE FIELD IF NOT EXISTS kek_version ON participant_key TYPE int;
DEFINE INDEX IF NOT EXISTS participant_key_kek ON participant_key FIELDS kek_version;

DEFINE TABLE IF NOT EXISTS blind_index SCHEMAFULL;
DEFINE FIELD IF NOT EXISTS kind ON blind_index TYPE string ASSERT $value IN ['personnummer', 'phone'];
DEFINE FIELD IF NOT EXISTS tag ON blind_index TYPE string;
DEFINE FIELD IF NOT EXISTS participant ON blind_index TYPE string;
DEFINE INDEX IF NOT EXISTS blind_index_tag ON blind_index FIELDS kind, tag;
DEFINE INDEX IF NOT EXISTS blind_index_participant ON blind_index FIELDS participant;

DEFINE TABLE IF NOT EXISTS case SCHEMAFULL;
DEFINE FIELD IF NOT EXISTS participant ON case TYPE string;
DEFINE FIELD IF NOT EXISTS owner_org ON case TYPE string;
DEFINE FIELD IF NOT EXISTS status ON case TYPE string ASSERT $value IN ['referred', 'assessment', 'active', 'paused', 'completed', 'ended_early', 'moved'];
DEFINE FIELD IF NOT EXISTS open ON case TYPE bool;
DEFINE FIELD IF NOT EXISTS sspf_level ON case TYPE string ASSERT $value IN ['individual', 'group', 'general'];
DEFINE FIELD IF NOT EXISTS referral_source ON case TYPE string ASSERT string::len($value) <= 200;
DEFINE FIELD IF NOT EXISTS responsible ON case TYPE string;
DEFINE FIELD IF NOT EXISTS municipality ON case TYPE string;
DEFINE FIELD IF NOT EXISTS opened_at ON case TYPE datetime;
DEFINE FIELD IF NOT EXISTS closed_at ON case TYPE option<datetime>;
DEFINE FIELD IF NOT EXISTS last_entry_at ON case TYPE datetime;
DEFINE FIELD IF NOT EXISTS transitions ON case TYPE array<object>;
DEFINE FIELD IF NOT EXISTS transitions[*].from ON case TYPE option<string>;
DEFINE FIELD IF NOT EXISTS transitions[*].to ON case TYPE string;
DEFINE FIELD IF NOT EXISTS transitions[*].at ON case TYPE datetime;
DEFINE FIELD IF NOT EXISTS transitions[*].by ON case TYPE string;
DEFINE FIELD IF NOT EXISTS version ON case TYPE int;
DEFINE INDEX IF NOT EXISTS case_participant ON case FIELDS participant;
DEFINE INDEX IF NOT EXISTS case_owner ON case FIELDS owner_org, status;

-- Exists exactly while the participant has an open case: the record id makes "one open case" a key.
DEFINE TABLE IF NOT EXISTS open_case SCHEMAFULL;
DEFINE FIELD IF NOT EXISTS case ON open_case TYPE string;

DEFINE TABLE IF NOT EXISTS case_member SCHEMAFULL;
DEFINE FIELD IF NOT EXISTS case ON case_member TYPE string;
DEFINE FIELD IF NOT EXISTS participant ON case_member TYPE string;
DEFINE FIELD IF NOT EXISTS user ON case_member TYPE string;
DEFINE FIELD IF NOT EXISTS org ON case_member TYPE string;
DEFINE FIELD IF NOT EXISTS part ON case_member TYPE string ASSERT $value IN ['responsible', 'case_worker', 'program_lead', 'police_contact', 'mentor', 'other'];
DEFINE FIELD IF NOT EXISTS added_at ON case_member TYPE datetime;
DEFINE FIELD IF NOT EXISTS added_by ON case_member TYPE string;
DEFINE INDEX IF NOT EXISTS case_member_case ON case_member FIELDS case;
DEFINE INDEX IF NOT EXISTS case_member_user ON case_member FIELDS user;
DEFINE INDEX IF NOT EXISTS case_member_unique ON case_member FIELDS case, user UNIQUE;

DEFINE TABLE IF NOT EXISTS consent SCHEMAFULL;
DEFINE FIELD IF NOT EXISTS participant ON consent TYPE string;
DEFINE FIELD IF NOT EXISTS recipient_org ON consent TYPE string;
DEFINE FIELD IF NOT EXISTS categories ON consent TYPE array<string> ASSERT array::len($value) >= 1;
DEFINE FIELD IF NOT EXISTS basis ON consent TYPE string ASSERT string::len($value) >= 1 AND string::len($value) <= 120;
DEFINE FIELD IF NOT EXISTS valid_from ON consent TYPE datetime;
DEFINE FIELD IF NOT EXISTS valid_until ON consent TYPE option<datetime>;
DEFINE FIELD IF NOT EXISTS revoked_at ON consent TYPE option<datetime>;
DEFINE FIELD IF NOT EXISTS revoked_by ON consent TYPE option<string>;
DEFINE FIELD IF NOT EXISTS recorded_by ON consent TYPE string;
DEFINE FIELD IF NOT EXISTS recorded_at ON consent TYPE datetime;
DEFINE INDEX IF NOT EXISTS consent_participant ON consent FIELDS participant;
DEFINE INDEX IF NOT EXISTS consent_recipient ON consent FIELDS recipient_org;

DEFINE TABLE IF NOT EXISTS break_glass SCHEMAFULL;
DEFINE FIELD IF NOT EXISTS user ON break_glass TYPE string;
DEFINE FIELD IF NOT EXISTS org ON break_glass TYPE string;
DEFINE FIELD IF NOT EXISTS participant ON break_glass TYPE string;
DEFINE FIELD IF NOT EXISTS reason ON break_glass TYPE string ASSERT string::len($value) >= 20 AND string::len($value) <= 2000;
DEFINE FIELD IF NOT EXISTS granted_at ON break_glass TYPE datetime;
DEFINE FIELD IF NOT EXISTS expires_at ON break_glass TYPE datetime;
DEFINE FIELD IF NOT EXISTS review ON break_glass TYPE string ASSERT $value IN ['pending', 'justified', 'escalated'];
DEFINE FIELD IF NOT EXISTS reviewed_by ON break_glass TYPE option<string>;
DEFINE FIELD IF NOT EXISTS reviewed_at ON break_glass TYPE option<datetime>;
DEFINE FIELD IF NOT EXISTS review_comment ON break_glass TYPE option<string>;
DEFINE INDEX IF NOT EXISTS break_glass_user ON break_glass FIELDS user, participant;
DEFINE INDEX IF NOT EXISTS break_glass_review ON break_glass FIELDS review;

DEFINE TABLE IF NOT EXISTS audit SCHEMAFULL;
DEFINE FIELD IF NOT EXISTS seq ON audit TYPE int;
DEFINE FIELD IF NOT EXISTS at ON audit TYPE datetime;
DEFINE FIELD IF NOT EXISTS actor ON audit TYPE string;
DEFINE FIELD IF NOT EXISTS actor_org ON audit TYPE string;
DEFINE FIELD IF NOT EXISTS role ON audit TYPE string;
DEFINE FIELD IF NOT EXISTS action ON audit TYPE string;
DEFINE FIELD IF NOT EXISTS participants ON audit TYPE array<string>;
DEFINE FIELD IF NOT EXISTS case_id ON audit TYPE option<string>;
DEFINE FIELD IF NOT EXISTS categories ON audit TYPE array<string>;
DEFINE FIELD IF NOT EXISTS denied ON audit TYPE array<string>;
DEFINE FIELD IF NOT EXISTS decision ON audit TYPE string ASSERT $value IN ['allow', 'deny', 'partial'];
DEFINE FIELD IF NOT EXISTS basis ON audit TYPE option<string>;
DEFINE FIELD IF NOT EXISTS purpose ON audit TYPE option<string>;
DEFINE FIELD IF NOT EXISTS reason ON audit TYPE option<string>;
DEFINE FIELD IF NOT EXISTS prev_mac ON audit TYPE string;
DEFINE FIELD IF NOT EXISTS mac ON audit TYPE string;
DEFINE INDEX IF NOT EXISTS audit_seq ON audit FIELDS seq UNIQUE;
DEFINE INDEX IF NOT EXISTS audit_actor ON audit FIELDS actor;
DEFINE INDEX IF NOT EXISTS audit_participants ON audit FIELDS participants;

DEFINE TABLE IF NOT EXISTS audit_head SCHEMAFULL;
DEFINE FIELD IF NOT EXISTS seq ON audit_head TYPE int;
DEFINE FIELD IF NOT EXISTS mac ON audit_head TYPE string;

DEFINE TABLE IF NOT EXISTS audit_cut SCHEMAFULL;
DEFINE FIELD IF NOT EXISTS seq ON audit_cut TYPE int;
DEFINE FIELD IF NOT EXISTS prev_mac ON audit_cut TYPE string;
DEFINE FIELD IF NOT EXISTS at ON audit_cut TYPE datetime;

DEFINE TABLE IF NOT EXISTS shred_request SCHEMAFULL;
DEFINE FIELD IF NOT EXISTS participant ON shred_request TYPE string;
DEFINE FIELD IF NOT EXISTS reason ON shred_request TYPE string ASSERT string::len($value) >= 10 AND string::len($value) <= 1000;
DEFINE FIELD IF NOT EXISTS requested_by ON shred_request TYPE string;
DEFINE FIELD IF NOT EXISTS requested_at ON shred_request TYPE datetime;
DEFINE FIELD IF NOT EXISTS confirmed_by ON shred_request TYPE option<string>;
DEFINE FIELD IF NOT EXISTS done_at ON shred_request TYPE option<datetime>;

DEFINE TABLE IF NOT EXISTS audit_verification SCHEMAFULL;
DEFINE FIELD IF NOT EXISTS checked_at ON audit_verification TYPE datetime;
DEFINE FIELD IF NOT EXISTS entries ON audit_verification TYPE int;
DEFINE FIELD IF NOT EXISTS head_seq ON audit_verification TYPE int;
DEFINE FIELD IF NOT EXISTS broken_at ON audit_verification TYPE option<int>;
DEFINE FIELD IF NOT EXISTS problem ON audit_verification TYPE option<string>;
"#,
    },
    Migration {
        version: 3,
        name:
            "casework: plan, measures, assessments, housing, occupation, contacts, notes, timeline",
        sql: r#"
DEFINE FIELD IF NOT EXISTS next_review ON case TYPE option<datetime>;

DEFINE TABLE IF NOT EXISTS goal SCHEMAFULL;
DEFINE FIELD IF NOT EXISTS case ON goal TYPE string;
DEFINE FIELD IF NOT EXISTS participant ON goal TYPE string;
DEFINE FIELD IF NOT EXISTS domain ON goal TYPE string ASSERT $value IN ['safety', 'housing', 'occupation', 'education', 'health', 'substance_use', 'family', 'finances', 'leaving_network', 'leisure'];
DEFINE FIELD IF NOT EXISTS text ON goal TYPE string;
DEFINE FIELD IF NOT EXISTS status ON goal TYPE string ASSERT $value IN ['open', 'achieved', 'dropped'];
DEFINE FIELD IF NOT EXISTS target_date ON goal TYPE option<datetime>;
DEFINE FIELD IF NOT EXISTS version ON goal TYPE int;
DEFINE FIELD IF NOT EXISTS created_at ON goal TYPE datetime;
DEFINE FIELD IF NOT EXISTS created_by ON goal TYPE string;
DEFINE INDEX IF NOT EXISTS goal_case ON goal FIELDS case;

DEFINE TABLE IF NOT EXISTS action SCHEMAFULL;
DEFINE FIELD IF NOT EXISTS case ON action TYPE string;
DEFINE FIELD IF NOT EXISTS participant ON action TYPE string;
DEFINE FIELD IF NOT EXISTS goal ON action TYPE string;
DEFINE FIELD IF NOT EXISTS title ON action TYPE string;
DEFINE FIELD IF NOT EXISTS owner_org ON action TYPE string;
DEFINE FIELD IF NOT EXISTS responsible ON action TYPE string;
DEFINE FIELD IF NOT EXISTS due ON action TYPE option<datetime>;
DEFINE FIELD IF NOT EXISTS status ON action TYPE string ASSERT $value IN ['planned', 'in_progress', 'done', 'cancelled'];
DEFINE FIELD IF NOT EXISTS comment ON action TYPE option<string>;
DEFINE FIELD IF NOT EXISTS version ON action TYPE int;
DEFINE FIELD IF NOT EXISTS created_at ON action TYPE datetime;
DEFINE FIELD IF NOT EXISTS created_by ON action TYPE string;
DEFINE INDEX IF NOT EXISTS action_case ON action FIELDS case;
DEFINE INDEX IF NOT EXISTS action_owner ON action FIELDS owner_org, status;

DEFINE TABLE IF NOT EXISTS review SCHEMAFULL;
DEFINE FIELD IF NOT EXISTS case ON review TYPE string;
DEFINE FIELD IF NOT EXISTS participant ON review TYPE string;
DEFINE FIELD IF NOT EXISTS date ON review TYPE datetime;
DEFINE FIELD IF NOT EXISTS present ON review TYPE option<string>;
DEFINE FIELD IF NOT EXISTS summary ON review TYPE option<string>;
DEFINE FIELD IF NOT EXISTS next_review ON review TYPE option<datetime>;
DEFINE FIELD IF NOT EXISTS created_by ON review TYPE string;
DEFINE INDEX IF NOT EXISTS review_case ON review FIELDS case;

DEFINE TABLE IF NOT EXISTS measure SCHEMAFULL;
DEFINE FIELD IF NOT EXISTS case ON measure TYPE string;
DEFINE FIELD IF NOT EXISTS participant ON measure TYPE string;
DEFINE FIELD IF NOT EXISTS kind ON measure TYPE string ASSERT $value IN ['relocation', 'sheltered_housing', 'protected_identity', 'security_alarm', 'personal_protection', 'secret_address', 'other'];
DEFINE FIELD IF NOT EXISTS status ON measure TYPE string ASSERT $value IN ['planned', 'active', 'ended', 'denied'];
DEFINE FIELD IF NOT EXISTS start ON measure TYPE option<datetime>;
DEFINE FIELD IF NOT EXISTS end ON measure TYPE option<datetime>;
DEFINE FIELD IF NOT EXISTS responsible_org ON measure TYPE string;
DEFINE FIELD IF NOT EXISTS details ON measure TYPE option<string>;
DEFINE FIELD IF NOT EXISTS version ON measure TYPE int;
DEFINE FIELD IF NOT EXISTS created_at ON measure TYPE datetime;
DEFINE FIELD IF NOT EXISTS created_by ON measure TYPE string;
DEFINE INDEX IF NOT EXISTS measure_case ON measure FIELDS case;

DEFINE TABLE IF NOT EXISTS assessment SCHEMAFULL;
DEFINE FIELD IF NOT EXISTS case ON assessment TYPE string;
DEFINE FIELD IF NOT EXISTS participant ON assessment TYPE string;
DEFINE FIELD IF NOT EXISTS level ON assessment TYPE string ASSERT $value IN ['low', 'medium', 'high', 'acute'];
DEFINE FIELD IF NOT EXISTS org ON assessment TYPE string;
DEFINE FIELD IF NOT EXISTS date ON assessment TYPE datetime;
DEFINE FIELD IF NOT EXISTS next_review ON assessment TYPE datetime;
DEFINE FIELD IF NOT EXISTS basis ON assessment TYPE option<string>;
DEFINE FIELD IF NOT EXISTS created_at ON assessment TYPE datetime;
DEFINE FIELD IF NOT EXISTS created_by ON assessment TYPE string;
DEFINE INDEX IF NOT EXISTS assessment_case ON assessment FIELDS case;

DEFINE TABLE IF NOT EXISTS housing SCHEMAFULL;
DEFINE FIELD IF NOT EXISTS case ON housing TYPE string;
DEFINE FIELD IF NOT EXISTS participant ON housing TYPE string;
DEFINE FIELD IF NOT EXISTS kind ON housing TYPE string ASSERT $value IN ['own_lease', 'second_hand', 'temporary', 'sheltered', 'with_family', 'homeless', 'institution'];
DEFINE FIELD IF NOT EXISTS address ON housing TYPE option<string>;
DEFINE FIELD IF NOT EXISTS from ON housing TYPE datetime;
DEFINE FIELD IF NOT EXISTS to ON housing TYPE option<datetime>;
DEFINE FIELD IF NOT EXISTS created_at ON housing TYPE datetime;
DEFINE FIELD IF NOT EXISTS created_by ON housing TYPE string;
DEFINE INDEX IF NOT EXISTS housing_case ON housing FIELDS case;

DEFINE TABLE IF NOT EXISTS occupation SCHEMAFULL;
DEFINE FIELD IF NOT EXISTS case ON occupation TYPE string;
DEFINE FIELD IF NOT EXISTS participant ON occupation TYPE string;
DEFINE FIELD IF NOT EXISTS kind ON occupation TYPE string ASSERT $value IN ['employment', 'internship', 'studies', 'labour_program', 'none'];
DEFINE FIELD IF NOT EXISTS from ON occupation TYPE datetime;
DEFINE FIELD IF NOT EXISTS to ON occupation TYPE option<datetime>;
DEFINE FIELD IF NOT EXISTS outcome ON occupation TYPE string ASSERT string::len($value) <= 200;
DEFINE FIELD IF NOT EXISTS created_at ON occupation TYPE datetime;
DEFINE FIELD IF NOT EXISTS created_by ON occupation TYPE string;
DEFINE INDEX IF NOT EXISTS occupation_case ON occupation FIELDS case;

DEFINE TABLE IF NOT EXISTS contact SCHEMAFULL;
DEFINE FIELD IF NOT EXISTS case ON contact TYPE string;
DEFINE FIELD IF NOT EXISTS participant ON contact TYPE string;
DEFINE FIELD IF NOT EXISTS at ON contact TYPE datetime;
DEFINE FIELD IF NOT EXISTS org ON contact TYPE string;
DEFINE FIELD IF NOT EXISTS kind ON contact TYPE string ASSERT $value IN ['meeting', 'phone', 'home_visit', 'digital', 'accompanied'];
DEFINE FIELD IF NOT EXISTS minutes ON contact TYPE int ASSERT $value >= 0 AND $value <= 1440;
DEFINE FIELD IF NOT EXISTS summary ON contact TYPE option<string>;
DEFINE FIELD IF NOT EXISTS author ON contact TYPE string;
DEFINE FIELD IF NOT EXISTS created_at ON contact TYPE datetime;
DEFINE INDEX IF NOT EXISTS contact_case ON contact FIELDS case, at;

DEFINE TABLE IF NOT EXISTS note SCHEMAFULL;
DEFINE FIELD IF NOT EXISTS case ON note TYPE string;
DEFINE FIELD IF NOT EXISTS participant ON note TYPE string;
DEFINE FIELD IF NOT EXISTS text ON note TYPE string;
DEFINE FIELD IF NOT EXISTS author ON note TYPE string;
DEFINE FIELD IF NOT EXISTS org ON note TYPE string;
DEFINE FIELD IF NOT EXISTS created_at ON note TYPE datetime;
DEFINE FIELD IF NOT EXISTS updated_at ON note TYPE datetime;
DEFINE FIELD IF NOT EXISTS version ON note TYPE int;
DEFINE FIELD IF NOT EXISTS history ON note TYPE array<object>;
DEFINE FIELD IF NOT EXISTS history[*].version ON note TYPE int;
DEFINE FIELD IF NOT EXISTS history[*].text ON note TYPE string;
DEFINE FIELD IF NOT EXISTS history[*].replaced_at ON note TYPE datetime;
DEFINE FIELD IF NOT EXISTS corrected ON note TYPE bool;
DEFINE INDEX IF NOT EXISTS note_case ON note FIELDS case;

DEFINE TABLE IF NOT EXISTS event SCHEMAFULL;
DEFINE FIELD IF NOT EXISTS case ON event TYPE string;
DEFINE FIELD IF NOT EXISTS participant ON event TYPE string;
DEFINE FIELD IF NOT EXISTS kind ON event TYPE string;
DEFINE FIELD IF NOT EXISTS category ON event TYPE string;
DEFINE FIELD IF NOT EXISTS org ON event TYPE string;
DEFINE FIELD IF NOT EXISTS author ON event TYPE string;
DEFINE FIELD IF NOT EXISTS at ON event TYPE datetime;
DEFINE FIELD IF NOT EXISTS text ON event TYPE option<string>;
DEFINE FIELD IF NOT EXISTS source ON event TYPE string;
DEFINE FIELD IF NOT EXISTS corrected ON event TYPE bool;
DEFINE INDEX IF NOT EXISTS event_case_at ON event FIELDS case, at;
DEFINE INDEX IF NOT EXISTS event_source ON event FIELDS source;
"#,
    },
    Migration {
        version: 4,
        name: "oversight: anonymous outcome statistics, contact statistics, job leases",
        sql: r#"
-- One row per case with only what the outcomes dashboard counts: no name, no participant id, no
-- sealed field. Refreshed in the same transaction as every write that changes what it counts
-- (fn::stat_refresh); retention keeps the row, under a new id, after the case itself is gone.
DEFINE TABLE IF NOT EXISTS case_stat SCHEMAFULL;
DEFINE FIELD IF NOT EXISTS case ON case_stat TYPE option<string>;
DEFINE FIELD IF NOT EXISTS owner_org ON case_stat TYPE string;
DEFINE FIELD IF NOT EXISTS municipality ON case_stat TYPE string;
DEFINE FIELD IF NOT EXISTS gender ON case_stat TYPE string;
DEFINE FIELD IF NOT EXISTS age_band ON case_stat TYPE string;
DEFINE FIELD IF NOT EXISTS sspf_level ON case_stat TYPE string;
DEFINE FIELD IF NOT EXISTS status ON case_stat TYPE string;
DEFINE FIELD IF NOT EXISTS open ON case_stat TYPE bool;
DEFINE FIELD IF NOT EXISTS opened_at ON case_stat TYPE datetime;
DEFINE FIELD IF NOT EXISTS intake_month ON case_stat TYPE string;
DEFINE FIELD IF NOT EXISTS active_at ON case_stat TYPE option<datetime>;
DEFINE FIELD IF NOT EXISTS days_to_active ON case_stat TYPE option<int>;
DEFINE FIELD IF NOT EXISTS housing_at ON case_stat TYPE option<datetime>;
DEFINE FIELD IF NOT EXISTS days_to_housing ON case_stat TYPE option<int>;
DEFINE FIELD IF NOT EXISTS occupied_6m ON case_stat TYPE option<bool>;
DEFINE FIELD IF NOT EXISTS occupied_12m ON case_stat TYPE option<bool>;
DEFINE FIELD IF NOT EXISTS closed_at ON case_stat TYPE option<datetime>;
DEFINE FIELD IF NOT EXISTS exit_month ON case_stat TYPE option<string>;
DEFINE FIELD IF NOT EXISTS exit_reason ON case_stat TYPE option<string>;
DEFINE FIELD IF NOT EXISTS assessment_due ON case_stat TYPE option<datetime>;
DEFINE FIELD IF NOT EXISTS review_due ON case_stat TYPE option<datetime>;
DEFINE FIELD IF NOT EXISTS transitions ON case_stat TYPE array<object>;
DEFINE FIELD IF NOT EXISTS transitions[*].to ON case_stat TYPE string;
DEFINE FIELD IF NOT EXISTS transitions[*].at ON case_stat TYPE datetime;
DEFINE FIELD IF NOT EXISTS measures ON case_stat TYPE array<object>;
DEFINE FIELD IF NOT EXISTS measures[*].kind ON case_stat TYPE string;
DEFINE FIELD IF NOT EXISTS measures[*].start ON case_stat TYPE datetime;
DEFINE FIELD IF NOT EXISTS measures[*].end ON case_stat TYPE option<datetime>;
DEFINE FIELD IF NOT EXISTS anonymised ON case_stat TYPE bool;
DEFINE INDEX IF NOT EXISTS case_stat_scope ON case_stat FIELDS municipality, opened_at;

-- One row per logged contact: who logged it and when, for contacts per organisation.
DEFINE TABLE IF NOT EXISTS contact_stat SCHEMAFULL;
DEFINE FIELD IF NOT EXISTS stat ON contact_stat TYPE string;
DEFINE FIELD IF NOT EXISTS org ON contact_stat TYPE string;
DEFINE FIELD IF NOT EXISTS municipality ON contact_stat TYPE string;
DEFINE FIELD IF NOT EXISTS at ON contact_stat TYPE datetime;
DEFINE INDEX IF NOT EXISTS contact_stat_at ON contact_stat FIELDS municipality, at;
DEFINE INDEX IF NOT EXISTS contact_stat_stat ON contact_stat FIELDS stat;

-- A job that must run on one instance at a time holds its lease until it expires.
DEFINE TABLE IF NOT EXISTS lease SCHEMAFULL;
DEFINE FIELD IF NOT EXISTS holder ON lease TYPE string;
DEFINE FIELD IF NOT EXISTS expires_at ON lease TYPE datetime;

-- The last retention run, for the administrator's page and the next run.
DEFINE TABLE IF NOT EXISTS retention_run SCHEMAFULL;
DEFINE FIELD IF NOT EXISTS at ON retention_run TYPE datetime;
DEFINE FIELD IF NOT EXISTS applied ON retention_run TYPE bool;
DEFINE FIELD IF NOT EXISTS by ON retention_run TYPE string;
DEFINE FIELD IF NOT EXISTS participants ON retention_run TYPE int;
DEFINE FIELD IF NOT EXISTS cases ON retention_run TYPE int;
DEFINE FIELD IF NOT EXISTS audit_removed ON retention_run TYPE int;
DEFINE INDEX IF NOT EXISTS retention_run_at ON retention_run FIELDS at;

DEFINE FIELD IF NOT EXISTS mac ON audit_cut TYPE option<string>;

DEFINE FUNCTION IF NOT EXISTS fn::stat_refresh($cid: string) {
    LET $c = (SELECT * FROM ONLY type::record('case', $cid));
    IF $c = NONE { RETURN NONE; };
    LET $p = (SELECT gender, birth_year FROM ONLY type::record('participant', $c.participant));
    LET $age = time::year($c.opened_at) - $p.birth_year;
    LET $band = IF $age < 18 { '12-17' } ELSE IF $age <= 20 { '18-20' } ELSE IF $age <= 25 { '21-25' } ELSE { '26+' };
    LET $active = array::min($c.transitions[WHERE to = 'active'].at);
    LET $housed = array::min((SELECT VALUE `from` FROM housing WHERE case = $cid AND kind IN ['own_lease', 'second_hand']));
    LET $occ = (SELECT `from` AS f, `to` AS t FROM occupation WHERE case = $cid AND kind IN ['employment', 'internship', 'studies', 'labour_program']);
    LET $d6 = IF $active = NONE { NONE } ELSE { $active + 182d };
    LET $d12 = IF $active = NONE { NONE } ELSE { $active + 365d };
    LET $closed = IF $c.open { NONE } ELSE { $c.closed_at };
    UPSERT type::record('case_stat', $cid) CONTENT {
        case: $cid,
        owner_org: $c.owner_org,
        municipality: $c.municipality,
        gender: $p.gender,
        age_band: $band,
        sspf_level: $c.sspf_level,
        status: $c.status,
        open: $c.open,
        opened_at: $c.opened_at,
        intake_month: time::format($c.opened_at, '%Y-%m'),
        active_at: $active,
        days_to_active: IF $active = NONE { NONE } ELSE { duration::days($active - $c.opened_at) },
        housing_at: $housed,
        days_to_housing: IF $housed = NONE { NONE } ELSE { duration::days($housed - $c.opened_at) },
        occupied_6m: IF $d6 = NONE { NONE } ELSE { array::len($occ[WHERE f <= $d6 AND (t = NONE OR t >= $d6)]) > 0 },
        occupied_12m: IF $d12 = NONE { NONE } ELSE { array::len($occ[WHERE f <= $d12 AND (t = NONE OR t >= $d12)]) > 0 },
        closed_at: $closed,
        exit_month: IF $closed = NONE { NONE } ELSE { time::format($closed, '%Y-%m') },
        exit_reason: IF $closed != NONE AND $c.status IN ['completed', 'ended_early', 'moved'] { $c.status } ELSE { NONE },
        assessment_due: (SELECT VALUE next_review FROM assessment WHERE case = $cid ORDER BY date DESC LIMIT 1)[0],
        review_due: $c.next_review,
        transitions: (SELECT to, at FROM $c.transitions),
        measures: (SELECT kind, start, `end` FROM measure WHERE case = $cid AND status IN ['active', 'ended'] AND start != NONE),
        anonymised: false
    } RETURN NONE;
};
"#,
    },
    Migration {
        version: 5,
        name: "indexes: a participant's records (register extracts); the audit log by time, organisation and action (log search)",
        sql: r#"
DEFINE INDEX IF NOT EXISTS case_member_participant ON case_member FIELDS participant;
DEFINE INDEX IF NOT EXISTS goal_participant ON goal FIELDS participant;
DEFINE INDEX IF NOT EXISTS action_participant ON action FIELDS participant;
DEFINE INDEX IF NOT EXISTS review_participant ON review FIELDS participant;
DEFINE INDEX IF NOT EXISTS measure_participant ON measure FIELDS participant;
DEFINE INDEX IF NOT EXISTS assessment_participant ON assessment FIELDS participant;
DEFINE INDEX IF NOT EXISTS housing_participant ON housing FIELDS participant;
DEFINE INDEX IF NOT EXISTS occupation_participant ON occupation FIELDS participant;
DEFINE INDEX IF NOT EXISTS contact_participant ON contact FIELDS participant;
DEFINE INDEX IF NOT EXISTS note_participant ON note FIELDS participant;
DEFINE INDEX IF NOT EXISTS event_participant ON event FIELDS participant;
DEFINE INDEX IF NOT EXISTS break_glass_participant ON break_glass FIELDS participant;
DEFINE INDEX IF NOT EXISTS shred_request_participant ON shred_request FIELDS participant;
DEFINE INDEX IF NOT EXISTS audit_at ON audit FIELDS at;
DEFINE INDEX IF NOT EXISTS audit_actor_org ON audit FIELDS actor_org;
DEFINE INDEX IF NOT EXISTS audit_action ON audit FIELDS action;
"#,
    },
    Migration {
        version: 6,
        name: "existence secrecy: possible-duplicate queue, notifications; free text sealed (referral source, break-glass reasons)",
        sql: r#"
-- A registration whose personnummer another organisation already holds: the registering side
-- learns nothing; the owning unit works it from its queue.
DEFINE TABLE IF NOT EXISTS duplicate_candidate SCHEMAFULL;
DEFINE FIELD IF NOT EXISTS existing ON duplicate_candidate TYPE string;
DEFINE FIELD IF NOT EXISTS existing_org ON duplicate_candidate TYPE string;
DEFINE FIELD IF NOT EXISTS new_participant ON duplicate_candidate TYPE string;
DEFINE FIELD IF NOT EXISTS new_org ON duplicate_candidate TYPE string;
DEFINE FIELD IF NOT EXISTS found_at ON duplicate_candidate TYPE datetime;
DEFINE FIELD IF NOT EXISTS found_by ON duplicate_candidate TYPE string;
DEFINE FIELD IF NOT EXISTS status ON duplicate_candidate TYPE string ASSERT $value IN ['open', 'linked', 'dismissed'];
DEFINE FIELD IF NOT EXISTS resolved_at ON duplicate_candidate TYPE option<datetime>;
DEFINE FIELD IF NOT EXISTS resolved_by ON duplicate_candidate TYPE option<string>;
DEFINE INDEX IF NOT EXISTS duplicate_candidate_org ON duplicate_candidate FIELDS existing_org, status;
DEFINE INDEX IF NOT EXISTS duplicate_candidate_existing ON duplicate_candidate FIELDS existing;
DEFINE INDEX IF NOT EXISTS duplicate_candidate_new ON duplicate_candidate FIELDS new_participant;

-- Messages to one user (e.g. the responsible case worker when someone used break-glass).
DEFINE TABLE IF NOT EXISTS notification SCHEMAFULL;
DEFINE FIELD IF NOT EXISTS user ON notification TYPE string;
DEFINE FIELD IF NOT EXISTS kind ON notification TYPE string ASSERT $value IN ['break_glass'];
DEFINE FIELD IF NOT EXISTS participant ON notification TYPE string;
DEFINE FIELD IF NOT EXISTS case ON notification TYPE string;
DEFINE FIELD IF NOT EXISTS by_user ON notification TYPE string;
DEFINE FIELD IF NOT EXISTS at ON notification TYPE datetime;
DEFINE FIELD IF NOT EXISTS until ON notification TYPE option<datetime>;
DEFINE FIELD IF NOT EXISTS read_at ON notification TYPE option<datetime>;
DEFINE INDEX IF NOT EXISTS notification_user ON notification FIELDS user, read_at;
DEFINE INDEX IF NOT EXISTS notification_participant ON notification FIELDS participant;

-- Sealed with the participant's key from now on (the clear length limits were checked before sealing).
DEFINE FIELD OVERWRITE referral_source ON case TYPE option<string>;
DEFINE FIELD OVERWRITE reason ON break_glass TYPE string;
DEFINE FIELD OVERWRITE review_comment ON break_glass TYPE option<string>;
DEFINE FIELD OVERWRITE reason ON shred_request TYPE string;
UPDATE case SET referral_source = NONE WHERE referral_source = '';
"#,
    },
    Migration {
        version: 7,
        name: "sign-in: per-address rate limit, per-name slow-down, second factor (TOTP, recovery codes), pending sessions",
        sql: r#"
-- A session that has passed the password but not yet the second factor ('second_factor') or
-- whose user must first enrol one ('enrol'): `auth::authenticate` refuses it for everything.
DEFINE FIELD IF NOT EXISTS pending ON session TYPE option<string> ASSERT $value = NONE OR $value IN ['second_factor', 'enrol'];
DEFINE FIELD IF NOT EXISTS factor_failures ON session TYPE int DEFAULT 0;

-- Sign-in attempts per client address and minute, shared by every instance.
DEFINE TABLE IF NOT EXISTS login_rate SCHEMAFULL;
DEFINE FIELD IF NOT EXISTS count ON login_rate TYPE int DEFAULT 0;
DEFINE FIELD IF NOT EXISTS expires_at ON login_rate TYPE datetime;
DEFINE INDEX IF NOT EXISTS login_rate_expires ON login_rate FIELDS expires_at;

-- Failures per attempted user name (keyed by its keyed hash, whether or not the account exists).
DEFINE TABLE IF NOT EXISTS login_throttle SCHEMAFULL;
DEFINE FIELD IF NOT EXISTS failures ON login_throttle TYPE int DEFAULT 0;
DEFINE FIELD IF NOT EXISTS last_at ON login_throttle TYPE option<datetime>;
DEFINE INDEX IF NOT EXISTS login_throttle_last ON login_throttle FIELDS last_at;

-- One TOTP enrolment per user (record id = user id): the secret sealed under a per-user key
-- wrapped by the KEK; the recovery codes sealed only until the enrolment is confirmed.
DEFINE TABLE IF NOT EXISTS mfa SCHEMAFULL;
DEFINE FIELD IF NOT EXISTS user ON mfa TYPE string;
DEFINE FIELD IF NOT EXISTS key ON mfa TYPE string;
DEFINE FIELD IF NOT EXISTS secret ON mfa TYPE string;
DEFINE FIELD IF NOT EXISTS recovery ON mfa TYPE option<string>;
DEFINE FIELD IF NOT EXISTS confirmed ON mfa TYPE bool;
DEFINE FIELD IF NOT EXISTS last_step ON mfa TYPE int DEFAULT 0;
DEFINE FIELD IF NOT EXISTS created_at ON mfa TYPE datetime;
DEFINE FIELD IF NOT EXISTS confirmed_at ON mfa TYPE option<datetime>;

-- Recovery codes: SHA-256 of a 100-bit random code, each usable once.
DEFINE TABLE IF NOT EXISTS mfa_recovery SCHEMAFULL;
DEFINE FIELD IF NOT EXISTS user ON mfa_recovery TYPE string;
DEFINE FIELD IF NOT EXISTS hash ON mfa_recovery TYPE string;
DEFINE FIELD IF NOT EXISTS used_at ON mfa_recovery TYPE option<datetime>;
DEFINE INDEX IF NOT EXISTS mfa_recovery_user ON mfa_recovery FIELDS user;
DEFINE INDEX IF NOT EXISTS mfa_recovery_hash ON mfa_recovery FIELDS hash UNIQUE;
"#,
    },
    Migration {
        version: 8,
        name: "audit: verification records carry a MAC and the checkpoint they were held to; users remember an administrator's password reset",
        sql: r#"
DEFINE FIELD IF NOT EXISTS mac ON audit_verification TYPE option<string>;
DEFINE FIELD IF NOT EXISTS anchor ON audit_verification TYPE option<string>;
DEFINE FIELD IF NOT EXISTS reset_by_admin_at ON user TYPE option<datetime>;
"#,
    },
    Migration {
        version: 9,
        name: "free text sealed: an occupation's outcome and a plan action's responsible person; the no-JavaScript form flash",
        sql: r#"
-- Sealed with the participant's key from now on (the clear length limit is checked before
-- sealing). Nothing given is NONE, never an empty string, so that every stored value opens.
DEFINE FIELD OVERWRITE outcome ON occupation TYPE option<string> VALUE IF $value = '' THEN NONE ELSE $value END;
DEFINE FIELD OVERWRITE responsible ON action TYPE option<string> VALUE IF $value = '' THEN NONE ELSE $value END;
UPDATE occupation SET outcome = NONE WHERE outcome = '';
UPDATE action SET responsible = NONE WHERE responsible = '';

-- A plain (no-JavaScript) form post that failed: the error and the submitted values, sealed
-- under a key derived from the session token (which the store does not hold), read once by the
-- page the browser is sent back to, and gone after ten minutes. The address carries only `id`.
DEFINE TABLE IF NOT EXISTS form_flash SCHEMAFULL;
DEFINE FIELD IF NOT EXISTS owner ON form_flash TYPE string;
DEFINE FIELD IF NOT EXISTS sealed ON form_flash TYPE string;
DEFINE FIELD IF NOT EXISTS expires_at ON form_flash TYPE datetime;
DEFINE INDEX IF NOT EXISTS form_flash_expires ON form_flash FIELDS expires_at;
"#,
    },
    Migration {
        version: 10,
        name: "register extracts: the secrecy review's decisions (release or withhold, per participant and item)",
        sql: r#"
-- One decision per participant and item (`table:record` or `table:record:field`); the record id
-- is derived from the two, so a new decision replaces the old one. `fingerprint` is a hash of
-- the item as stored (ciphertext for sealed fields) when it was decided: a changed item is
-- reviewed again. The reason is sealed with the participant's key.
DEFINE TABLE IF NOT EXISTS extract_release SCHEMAFULL;
DEFINE FIELD IF NOT EXISTS participant ON extract_release TYPE string;
DEFINE FIELD IF NOT EXISTS item ON extract_release TYPE string;
DEFINE FIELD IF NOT EXISTS decision ON extract_release TYPE string ASSERT $value IN ['release', 'withhold'];
DEFINE FIELD IF NOT EXISTS reason ON extract_release TYPE option<string>;
DEFINE FIELD IF NOT EXISTS fingerprint ON extract_release TYPE string;
DEFINE FIELD IF NOT EXISTS by ON extract_release TYPE string;
DEFINE FIELD IF NOT EXISTS at ON extract_release TYPE datetime;
DEFINE INDEX IF NOT EXISTS extract_release_participant ON extract_release FIELDS participant;
"#,
    },
    Migration {
        version: 11,
        name: "program layer: school and leisure organisations, their role, areas within a municipality",
        sql: r#"
DEFINE FIELD OVERWRITE kind ON org TYPE string ASSERT $value IN ['social_services', 'police', 'ngo', 'school', 'leisure', 'other'];
DEFINE FIELD OVERWRITE role ON user TYPE string ASSERT $value IN ['case_worker', 'program_lead', 'partner', 'police', 'contributor', 'auditor', 'admin'];

-- A district or school area within a municipality: what situation pictures are drawn up for.
DEFINE TABLE IF NOT EXISTS area SCHEMAFULL;
DEFINE FIELD IF NOT EXISTS municipality ON area TYPE string ASSERT string::len($value) >= 1 AND string::len($value) <= 60;
DEFINE FIELD IF NOT EXISTS name ON area TYPE string ASSERT string::len($value) >= 1 AND string::len($value) <= 120;
DEFINE FIELD IF NOT EXISTS kind ON area TYPE string ASSERT $value IN ['district', 'school_area'];
DEFINE FIELD IF NOT EXISTS active ON area TYPE bool;
DEFINE FIELD IF NOT EXISTS created_at ON area TYPE datetime;
DEFINE INDEX IF NOT EXISTS area_name ON area FIELDS municipality, name UNIQUE;
"#,
    },
    Migration {
        version: 12,
        name: "referrals: the referral, its per-year number counter, the case it opened",
        sql: r#"
-- A referral (orosanmälan/remiss). Person, description and the referring private person are
-- sealed with the linked participant's key; the rest are codes, ids and dates.
DEFINE TABLE IF NOT EXISTS referral SCHEMAFULL;
DEFINE FIELD IF NOT EXISTS number ON referral TYPE string;
DEFINE FIELD IF NOT EXISTS year ON referral TYPE int;
DEFINE FIELD IF NOT EXISTS seq ON referral TYPE int;
DEFINE FIELD IF NOT EXISTS org ON referral TYPE string;
DEFINE FIELD IF NOT EXISTS created_by ON referral TYPE string;
DEFINE FIELD IF NOT EXISTS created_at ON referral TYPE datetime;
DEFINE FIELD IF NOT EXISTS kind ON referral TYPE string ASSERT $value IN ['police', 'school', 'leisure', 'social_services', 'health', 'ngo', 'family', 'self_referral'];
DEFINE FIELD IF NOT EXISTS referred_on ON referral TYPE datetime;
DEFINE FIELD IF NOT EXISTS reasons ON referral TYPE array<string> ASSERT array::len($value) >= 1;
DEFINE FIELD IF NOT EXISTS reasons[*] ON referral TYPE string ASSERT $value IN ['recruitment', 'violence', 'threats', 'drug_dealing', 'weapons', 'school_absence', 'family_worry', 'wants_to_leave', 'exploitation'];
DEFINE FIELD IF NOT EXISTS urgency ON referral TYPE string ASSERT $value IN ['normal', 'urgent', 'acute'];
DEFINE FIELD IF NOT EXISTS description ON referral TYPE string;
DEFINE FIELD IF NOT EXISTS personnummer ON referral TYPE string;
DEFINE FIELD IF NOT EXISTS first_name ON referral TYPE string;
DEFINE FIELD IF NOT EXISTS last_name ON referral TYPE string;
DEFINE FIELD IF NOT EXISTS phone ON referral TYPE option<string>;
DEFINE FIELD IF NOT EXISTS referrer_contact ON referral TYPE option<string>;
DEFINE FIELD IF NOT EXISTS municipality ON referral TYPE string ASSERT string::len($value) >= 1 AND string::len($value) <= 60;
DEFINE FIELD IF NOT EXISTS receiving_org ON referral TYPE string;
DEFINE FIELD IF NOT EXISTS forwarded_from ON referral TYPE option<string>;
DEFINE FIELD IF NOT EXISTS participant ON referral TYPE string;
DEFINE FIELD IF NOT EXISTS status ON referral TYPE string ASSERT $value IN ['new', 'under_review', 'accepted', 'declined', 'forwarded'];
DEFINE FIELD IF NOT EXISTS case ON referral TYPE option<string>;
DEFINE FIELD IF NOT EXISTS decline_reason ON referral TYPE option<string>;
DEFINE FIELD IF NOT EXISTS transitions ON referral TYPE array<object>;
DEFINE FIELD IF NOT EXISTS transitions[*].from ON referral TYPE option<string>;
DEFINE FIELD IF NOT EXISTS transitions[*].to ON referral TYPE string;
DEFINE FIELD IF NOT EXISTS transitions[*].at ON referral TYPE datetime;
DEFINE FIELD IF NOT EXISTS transitions[*].by ON referral TYPE string;
DEFINE FIELD IF NOT EXISTS version ON referral TYPE int;
DEFINE INDEX IF NOT EXISTS referral_number ON referral FIELDS number UNIQUE;
DEFINE INDEX IF NOT EXISTS referral_queue ON referral FIELDS receiving_org, status;
DEFINE INDEX IF NOT EXISTS referral_municipality ON referral FIELDS municipality, status;
DEFINE INDEX IF NOT EXISTS referral_participant ON referral FIELDS participant;
DEFINE INDEX IF NOT EXISTS referral_org ON referral FIELDS org;

-- The last number given per year (record key = the year); bumped in the referral's transaction.
DEFINE TABLE IF NOT EXISTS referral_counter SCHEMAFULL;
DEFINE FIELD IF NOT EXISTS last ON referral_counter TYPE int;

-- The referral a case was opened from.
DEFINE FIELD IF NOT EXISTS referral ON case TYPE option<string>;
"#,
    },
    Migration {
        version: 13,
        name: "effect: outcome ratings per life domain; funded projects and participants' enrolment in them",
        sql: r#"
-- One rating set: one rater's scores (1-5) for the life domains on one occasion.
DEFINE TABLE IF NOT EXISTS rating SCHEMAFULL;
DEFINE FIELD IF NOT EXISTS case ON rating TYPE string;
DEFINE FIELD IF NOT EXISTS participant ON rating TYPE string;
DEFINE FIELD IF NOT EXISTS date ON rating TYPE datetime;
DEFINE FIELD IF NOT EXISTS occasion ON rating TYPE string ASSERT $value IN ['intake', 'review'];
DEFINE FIELD IF NOT EXISTS review ON rating TYPE option<string>;
DEFINE FIELD IF NOT EXISTS rater ON rating TYPE string ASSERT $value IN ['case_worker', 'participant'];
DEFINE FIELD IF NOT EXISTS scores ON rating TYPE array<object>;
DEFINE FIELD IF NOT EXISTS scores[*].domain ON rating TYPE string ASSERT $value IN ['safety', 'housing', 'occupation', 'education', 'health', 'substance_use', 'family', 'finances', 'leaving_network', 'leisure'];
DEFINE FIELD IF NOT EXISTS scores[*].score ON rating TYPE int ASSERT $value >= 1 AND $value <= 5;
DEFINE FIELD IF NOT EXISTS comment ON rating TYPE option<string>;
DEFINE FIELD IF NOT EXISTS created_at ON rating TYPE datetime;
DEFINE FIELD IF NOT EXISTS created_by ON rating TYPE string;
DEFINE INDEX IF NOT EXISTS rating_case ON rating FIELDS case;
DEFINE INDEX IF NOT EXISTS rating_participant ON rating FIELDS participant;

-- A funded project (ESF+ and the like) and who took part in it when.
DEFINE TABLE IF NOT EXISTS project SCHEMAFULL;
DEFINE FIELD IF NOT EXISTS name ON project TYPE string ASSERT string::len($value) >= 1 AND string::len($value) <= 120;
DEFINE FIELD IF NOT EXISTS funder ON project TYPE string ASSERT string::len($value) >= 1 AND string::len($value) <= 120;
DEFINE FIELD IF NOT EXISTS number ON project TYPE string;
DEFINE FIELD IF NOT EXISTS starts ON project TYPE datetime;
DEFINE FIELD IF NOT EXISTS ends ON project TYPE datetime;
DEFINE FIELD IF NOT EXISTS cofinancing ON project TYPE int ASSERT $value >= 0 AND $value <= 100;
DEFINE FIELD IF NOT EXISTS created_at ON project TYPE datetime;
DEFINE FIELD IF NOT EXISTS created_by ON project TYPE string;

DEFINE TABLE IF NOT EXISTS enrolment SCHEMAFULL;
DEFINE FIELD IF NOT EXISTS project ON enrolment TYPE string;
DEFINE FIELD IF NOT EXISTS case ON enrolment TYPE string;
DEFINE FIELD IF NOT EXISTS participant ON enrolment TYPE string;
DEFINE FIELD IF NOT EXISTS entry ON enrolment TYPE datetime;
DEFINE FIELD IF NOT EXISTS exit ON enrolment TYPE option<datetime>;
DEFINE FIELD IF NOT EXISTS created_at ON enrolment TYPE datetime;
DEFINE FIELD IF NOT EXISTS created_by ON enrolment TYPE string;
DEFINE INDEX IF NOT EXISTS enrolment_case ON enrolment FIELDS case;
DEFINE INDEX IF NOT EXISTS enrolment_project ON enrolment FIELDS project;
DEFINE INDEX IF NOT EXISTS enrolment_participant ON enrolment FIELDS participant;
"#,
    },
    Migration {
        version: 14,
        name: "situation pictures: observations per area and quarter, and the merged picture",
        sql: r#"
-- One observation of one organisation for an area and a quarter (`2026-Q3`). Not personal
-- data: the core refuses text that looks like a personnummer, a phone number or the name of a
-- registered participant before anything is written (core/src/situation/guard.rs).
DEFINE TABLE IF NOT EXISTS situation_contribution SCHEMAFULL;
DEFINE FIELD IF NOT EXISTS area ON situation_contribution TYPE string;
DEFINE FIELD IF NOT EXISTS period ON situation_contribution TYPE string ASSERT $value = /^[0-9]{4}-Q[1-4]$/;
DEFINE FIELD IF NOT EXISTS org ON situation_contribution TYPE string;
DEFINE FIELD IF NOT EXISTS author ON situation_contribution TYPE string;
DEFINE FIELD IF NOT EXISTS category ON situation_contribution TYPE string ASSERT $value IN ['places', 'recruitment', 'incidents', 'youth_voice'];
DEFINE FIELD IF NOT EXISTS level ON situation_contribution TYPE string ASSERT $value IN ['low', 'medium', 'high'];
DEFINE FIELD IF NOT EXISTS place ON situation_contribution TYPE option<string> ASSERT $value = NONE OR string::len($value) <= 200;
DEFINE FIELD IF NOT EXISTS time_of_day ON situation_contribution TYPE option<string> ASSERT $value = NONE OR $value IN ['morning', 'daytime', 'evening', 'night'];
DEFINE FIELD IF NOT EXISTS days ON situation_contribution TYPE option<string> ASSERT $value = NONE OR $value IN ['weekdays', 'weekend', 'all_week'];
DEFINE FIELD IF NOT EXISTS text ON situation_contribution TYPE string ASSERT string::len($value) >= 1 AND string::len($value) <= 1000;
DEFINE FIELD IF NOT EXISTS created_at ON situation_contribution TYPE datetime;
DEFINE INDEX IF NOT EXISTS situation_contribution_area ON situation_contribution FIELDS area, period;
DEFINE INDEX IF NOT EXISTS situation_contribution_org ON situation_contribution FIELDS org, period;

-- The merged picture of an area and a quarter (record id `<area>_<period>`, and the index
-- keeps it one): the agreed summary, priorities in order, actions (who, what, by when).
DEFINE TABLE IF NOT EXISTS situation_picture SCHEMAFULL;
DEFINE FIELD IF NOT EXISTS area ON situation_picture TYPE string;
DEFINE FIELD IF NOT EXISTS period ON situation_picture TYPE string ASSERT $value = /^[0-9]{4}-Q[1-4]$/;
DEFINE FIELD IF NOT EXISTS status ON situation_picture TYPE string ASSERT $value IN ['draft', 'agreed'];
DEFINE FIELD IF NOT EXISTS summary ON situation_picture TYPE string ASSERT string::len($value) <= 4000;
DEFINE FIELD IF NOT EXISTS priorities ON situation_picture TYPE array<string> ASSERT array::len($value) <= 12;
DEFINE FIELD IF NOT EXISTS actions ON situation_picture TYPE array<object> ASSERT array::len($value) <= 12;
DEFINE FIELD IF NOT EXISTS actions.*.who ON situation_picture TYPE string;
DEFINE FIELD IF NOT EXISTS actions.*.what ON situation_picture TYPE string;
DEFINE FIELD IF NOT EXISTS actions.*.by ON situation_picture TYPE string;
DEFINE FIELD IF NOT EXISTS updated_by ON situation_picture TYPE string;
DEFINE FIELD IF NOT EXISTS updated_at ON situation_picture TYPE datetime;
DEFINE FIELD IF NOT EXISTS agreed_by ON situation_picture TYPE option<string>;
DEFINE FIELD IF NOT EXISTS agreed_at ON situation_picture TYPE option<datetime>;
DEFINE INDEX IF NOT EXISTS situation_picture_area ON situation_picture FIELDS area, period UNIQUE;
"#,
    },
    Migration {
        version: 15,
        name: "earlier versions of a participant's details",
        sql: r#"
-- What an edit replaced: the earlier values of the fields it changed, sealed with the
-- participant's key (AAD field `history.<version>`), with when and by whom. Absent on a
-- participant never edited.
DEFINE FIELD IF NOT EXISTS history ON participant TYPE option<array<object>>;
DEFINE FIELD IF NOT EXISTS history[*].version ON participant TYPE int;
DEFINE FIELD IF NOT EXISTS history[*].previous ON participant TYPE string;
DEFINE FIELD IF NOT EXISTS history[*].replaced_at ON participant TYPE datetime;
DEFINE FIELD IF NOT EXISTS history[*].by ON participant TYPE string;
"#,
    },
    Migration {
        version: 16,
        name: "collaboration council: meetings and their agenda items with the decisions",
        sql: r#"
-- A council meeting, chaired by a social-services unit (`org`), with member organisations.
DEFINE TABLE IF NOT EXISTS council_meeting SCHEMAFULL;
DEFINE FIELD IF NOT EXISTS org ON council_meeting TYPE string;
DEFINE FIELD IF NOT EXISTS municipality ON council_meeting TYPE string;
DEFINE FIELD IF NOT EXISTS date ON council_meeting TYPE datetime;
DEFINE FIELD IF NOT EXISTS members ON council_meeting TYPE array<string>;
DEFINE FIELD IF NOT EXISTS members[*] ON council_meeting TYPE string;
DEFINE FIELD IF NOT EXISTS status ON council_meeting TYPE string ASSERT $value IN ['planned', 'held'];
DEFINE FIELD IF NOT EXISTS created_by ON council_meeting TYPE string;
DEFINE FIELD IF NOT EXISTS created_at ON council_meeting TYPE datetime;
DEFINE INDEX IF NOT EXISTS council_meeting_org ON council_meeting FIELDS org;

-- One item of a meeting's agenda (a referral or a case of the chair) and its decision. The
-- decision's free text (`note`) is sealed with the participant's key.
DEFINE TABLE IF NOT EXISTS council_item SCHEMAFULL;
DEFINE FIELD IF NOT EXISTS meeting ON council_item TYPE string;
DEFINE FIELD IF NOT EXISTS position ON council_item TYPE int;
DEFINE FIELD IF NOT EXISTS kind ON council_item TYPE string ASSERT $value IN ['referral', 'case'];
DEFINE FIELD IF NOT EXISTS referral ON council_item TYPE option<string>;
DEFINE FIELD IF NOT EXISTS case ON council_item TYPE option<string>;
DEFINE FIELD IF NOT EXISTS participant ON council_item TYPE string;
DEFINE FIELD IF NOT EXISTS org ON council_item TYPE string;
DEFINE FIELD IF NOT EXISTS status ON council_item TYPE string ASSERT $value IN ['open', 'decided', 'declined'];
DEFINE FIELD IF NOT EXISTS priority ON council_item TYPE option<int> ASSERT $value = NONE OR ($value >= 1 AND $value <= 3);
DEFINE FIELD IF NOT EXISTS interventions ON council_item TYPE array<object>;
DEFINE FIELD IF NOT EXISTS interventions[*].kind ON council_item TYPE string ASSERT $value IN ['mentoring', 'housing_support', 'school_measure', 'police_protection', 'employment_support', 'other'];
DEFINE FIELD IF NOT EXISTS interventions[*].org ON council_item TYPE string;
DEFINE FIELD IF NOT EXISTS interventions[*].follow_up ON council_item TYPE datetime;
DEFINE FIELD IF NOT EXISTS responsible ON council_item TYPE option<string>;
DEFINE FIELD IF NOT EXISTS note ON council_item TYPE option<string>;
DEFINE FIELD IF NOT EXISTS decided_by ON council_item TYPE option<string>;
DEFINE FIELD IF NOT EXISTS decided_at ON council_item TYPE option<datetime>;
DEFINE FIELD IF NOT EXISTS added_by ON council_item TYPE string;
DEFINE FIELD IF NOT EXISTS added_at ON council_item TYPE datetime;
DEFINE INDEX IF NOT EXISTS council_item_meeting ON council_item FIELDS meeting, position UNIQUE;
DEFINE INDEX IF NOT EXISTS council_item_participant ON council_item FIELDS participant;
"#,
    },
    Migration {
        version: 17,
        name: "handover of a case to another municipality; read access of the sending team for a period",
        sql: r#"
-- A case offered by its owning unit (`from_org`) to a social-services unit of another
-- municipality (`to_org`). `snapshot` (the chosen parts as they stood, JSON), `note` and
-- `decline_reason` are sealed with the participant's key.
DEFINE TABLE IF NOT EXISTS handover SCHEMAFULL;
DEFINE FIELD IF NOT EXISTS case ON handover TYPE string;
DEFINE FIELD IF NOT EXISTS participant ON handover TYPE string;
DEFINE FIELD IF NOT EXISTS from_org ON handover TYPE string;
DEFINE FIELD IF NOT EXISTS to_org ON handover TYPE string;
DEFINE FIELD IF NOT EXISTS parts ON handover TYPE array<string> ASSERT array::len($value) >= 1;
DEFINE FIELD IF NOT EXISTS parts[*] ON handover TYPE string ASSERT $value IN ['person', 'status', 'plan', 'safety', 'living'];
DEFINE FIELD IF NOT EXISTS snapshot ON handover TYPE string;
DEFINE FIELD IF NOT EXISTS note ON handover TYPE option<string>;
DEFINE FIELD IF NOT EXISTS status ON handover TYPE string ASSERT $value IN ['pending', 'accepted', 'declined', 'withdrawn'];
DEFINE FIELD IF NOT EXISTS read_days ON handover TYPE int ASSERT $value >= 0 AND $value <= 90;
DEFINE FIELD IF NOT EXISTS created_by ON handover TYPE string;
DEFINE FIELD IF NOT EXISTS created_at ON handover TYPE datetime;
DEFINE FIELD IF NOT EXISTS decided_by ON handover TYPE option<string>;
DEFINE FIELD IF NOT EXISTS decided_at ON handover TYPE option<datetime>;
DEFINE FIELD IF NOT EXISTS decline_reason ON handover TYPE option<string>;
DEFINE FIELD IF NOT EXISTS sender_until ON handover TYPE option<datetime>;
DEFINE INDEX IF NOT EXISTS handover_to ON handover FIELDS to_org, status;
DEFINE INDEX IF NOT EXISTS handover_from ON handover FIELDS from_org, status;
DEFINE INDEX IF NOT EXISTS handover_case ON handover FIELDS case;
DEFINE INDEX IF NOT EXISTS handover_participant ON handover FIELDS participant;

-- The sending team keeps reading the case until this time after an accepted handover.
DEFINE FIELD IF NOT EXISTS until ON case_member TYPE option<datetime>;
"#,
    },
    Migration {
        version: 18,
        name: "SSPF groups and the cases linked to them; young people's guardians; plan actions with guardians",
        sql: r#"
-- A group of young people known to act together, owned by a social-services unit (`org`). Its
-- working label and description are sealed with the group's own data key (participant_key
-- `group_<id>`), which belongs to no participant.
DEFINE TABLE IF NOT EXISTS sspf_group SCHEMAFULL;
DEFINE FIELD IF NOT EXISTS org ON sspf_group TYPE string;
DEFINE FIELD IF NOT EXISTS municipality ON sspf_group TYPE string;
DEFINE FIELD IF NOT EXISTS name ON sspf_group TYPE string;
DEFINE FIELD IF NOT EXISTS description ON sspf_group TYPE option<string>;
DEFINE FIELD IF NOT EXISTS active ON sspf_group TYPE bool;
DEFINE FIELD IF NOT EXISTS created_by ON sspf_group TYPE string;
DEFINE FIELD IF NOT EXISTS created_at ON sspf_group TYPE datetime;
DEFINE INDEX IF NOT EXISTS sspf_group_org ON sspf_group FIELDS org;

-- A case's membership of a group over a period (`to` empty while it holds).
DEFINE TABLE IF NOT EXISTS group_link SCHEMAFULL;
DEFINE FIELD IF NOT EXISTS group ON group_link TYPE string;
DEFINE FIELD IF NOT EXISTS case ON group_link TYPE string;
DEFINE FIELD IF NOT EXISTS participant ON group_link TYPE string;
DEFINE FIELD IF NOT EXISTS org ON group_link TYPE string;
DEFINE FIELD IF NOT EXISTS from ON group_link TYPE datetime;
DEFINE FIELD IF NOT EXISTS to ON group_link TYPE option<datetime>;
DEFINE FIELD IF NOT EXISTS added_by ON group_link TYPE string;
DEFINE FIELD IF NOT EXISTS added_at ON group_link TYPE datetime;
DEFINE INDEX IF NOT EXISTS group_link_group ON group_link FIELDS group;
DEFINE INDEX IF NOT EXISTS group_link_case ON group_link FIELDS case;
DEFINE INDEX IF NOT EXISTS group_link_participant ON group_link FIELDS participant;

-- A young person's guardian or parent: name and contact details sealed with the participant's
-- key; the guardians' consent (when, what it covers — sealed — and who recorded it).
DEFINE TABLE IF NOT EXISTS guardian SCHEMAFULL;
DEFINE FIELD IF NOT EXISTS case ON guardian TYPE string;
DEFINE FIELD IF NOT EXISTS participant ON guardian TYPE string;
DEFINE FIELD IF NOT EXISTS name ON guardian TYPE string;
DEFINE FIELD IF NOT EXISTS relation ON guardian TYPE string ASSERT $value IN ['mother', 'father', 'appointed_guardian', 'other_parent', 'other'];
DEFINE FIELD IF NOT EXISTS custody ON guardian TYPE bool;
DEFINE FIELD IF NOT EXISTS phone ON guardian TYPE option<string>;
DEFINE FIELD IF NOT EXISTS email ON guardian TYPE option<string>;
DEFINE FIELD IF NOT EXISTS address ON guardian TYPE option<string>;
DEFINE FIELD IF NOT EXISTS consent_given_on ON guardian TYPE option<datetime>;
DEFINE FIELD IF NOT EXISTS consent_scope ON guardian TYPE option<string>;
DEFINE FIELD IF NOT EXISTS consent_recorded_by ON guardian TYPE option<string>;
DEFINE FIELD IF NOT EXISTS version ON guardian TYPE int;
DEFINE FIELD IF NOT EXISTS created_by ON guardian TYPE string;
DEFINE FIELD IF NOT EXISTS created_at ON guardian TYPE datetime;
DEFINE INDEX IF NOT EXISTS guardian_case ON guardian FIELDS case;
DEFINE INDEX IF NOT EXISTS guardian_participant ON guardian FIELDS participant;

-- A plan action that is work with the parents or guardians.
DEFINE FIELD IF NOT EXISTS with_guardians ON action TYPE option<bool>;
"#,
    },
    Migration {
        version: 19,
        name: "fn::records: rows by their ids as direct record lookups",
        sql: r#"
-- The records of `$table` with the given ids, each fetched directly by its key: for
-- `SELECT … FROM fn::records('participant', $ids) WHERE id != NONE`. A filter on
-- `record::id(id) IN $ids` is never served by an index (SurrealDB scans the whole table); this is
-- one key lookup per id. Ids that are empty are skipped, repeated ones read once; an id with no
-- record gives a row with no id, which the caller's `WHERE id != NONE` drops.
DEFINE FUNCTION IF NOT EXISTS fn::records($table: string, $ids: array) {
    RETURN array::map(
        array::distinct(array::filter($ids, |$i| $i != NONE AND $i != NULL)),
        |$i| type::record($table, $i)
    );
};
"#,
    },
    Migration {
        version: 20,
        name: "contact counters per municipality, organisation and month",
        sql: r#"
-- The month (YYYY-MM) an instant falls in, in Swedish time. A month can only change within the
-- last hours of a UTC month, so the offset that matters is the one in force at the end of the
-- UTC month: summer time (+2 h) at the end of March to September, standard time (+1 h) at the
-- end of October to February. `month_in_swedish_time_matches_the_rust_clock` holds it to
-- domain::time::swedish_local.
DEFINE FUNCTION IF NOT EXISTS fn::swedish_month($at: datetime) -> string {
    LET $month = time::month($at);
    RETURN time::format($at + (IF $month >= 3 AND $month <= 9 { 2h } ELSE { 1h }), '%Y-%m');
};

-- Contacts counted on write: one row per municipality, organisation and month, with the number of
-- contacts and the anonymous statistics ids (case_stat) of the cases they were about, so distinct
-- persons over any run of months is the size of a union. The outcomes dashboard reads these
-- rows (a few per organisation and month) instead of every contact.
DEFINE TABLE IF NOT EXISTS contact_month SCHEMAFULL;
DEFINE FIELD IF NOT EXISTS municipality ON contact_month TYPE string;
DEFINE FIELD IF NOT EXISTS org ON contact_month TYPE string;
DEFINE FIELD IF NOT EXISTS month ON contact_month TYPE string;
DEFINE FIELD IF NOT EXISTS n ON contact_month TYPE int;
DEFINE FIELD IF NOT EXISTS cases ON contact_month TYPE array<string>;
DEFINE INDEX IF NOT EXISTS contact_month_scope ON contact_month FIELDS municipality, month;

-- Counts one contact: its statistics row and its month's counter, in the caller's transaction.
DEFINE FUNCTION IF NOT EXISTS fn::contact_count($stat: string, $org: string, $municipality: string, $at: datetime) {
    CREATE contact_stat CONTENT { stat: $stat, org: $org, municipality: $municipality, at: $at } RETURN NONE;
    LET $month = fn::swedish_month($at);
    UPSERT type::record('contact_month', [$municipality, $org, $month])
        SET municipality = $municipality, org = $org, month = $month, n = (n ?? 0) + 1,
            cases = array::union(cases ?? [], [$stat])
        RETURN NONE;
};

-- The counters of the contacts already logged.
FOR $g IN (
    SELECT municipality, org, month, count() AS n, array::group(stat) AS cases
    FROM (SELECT municipality, org, stat, fn::swedish_month(at) AS month FROM contact_stat)
    GROUP BY municipality, org, month
) {
    UPSERT type::record('contact_month', [$g.municipality, $g.org, $g.month])
        CONTENT { municipality: $g.municipality, org: $g.org, month: $g.month, n: $g.n, cases: $g.cases }
        RETURN NONE;
};
"#,
    },
    Migration {
        version: 21,
        name: "policy facts per participant in one row, kept by events",
        sql: r#"
-- What the access policy needs to know of a participant, in one row per participant (its id is
-- the participant's): owner, protection, shredding, the team of its cases, every consent and
-- every break-glass. Pages read these rows by direct lookup (`fn::records`) in the same round
-- trip as their data; the reader's own consents and break-glass are picked out of the arrays.
-- The events below rewrite a row in the transaction of every write to what it is made of, so no
-- write path can forget it (`subject::tests` holds it equal to a recomputation).
DEFINE TABLE IF NOT EXISTS policy_facts SCHEMAFULL;
DEFINE FIELD IF NOT EXISTS owner_org ON policy_facts TYPE string;
DEFINE FIELD IF NOT EXISTS protection ON policy_facts TYPE string;
DEFINE FIELD IF NOT EXISTS shredded ON policy_facts TYPE bool;
DEFINE FIELD IF NOT EXISTS team ON policy_facts TYPE array<object>;
DEFINE FIELD IF NOT EXISTS team[*].user ON policy_facts TYPE string;
DEFINE FIELD IF NOT EXISTS team[*].org ON policy_facts TYPE string;
DEFINE FIELD IF NOT EXISTS team[*].until ON policy_facts TYPE option<datetime>;
DEFINE FIELD IF NOT EXISTS grants ON policy_facts TYPE array<object>;
DEFINE FIELD IF NOT EXISTS grants[*].id ON policy_facts TYPE string;
DEFINE FIELD IF NOT EXISTS grants[*].recipient_org ON policy_facts TYPE string;
DEFINE FIELD IF NOT EXISTS grants[*].categories ON policy_facts TYPE array<string>;
DEFINE FIELD IF NOT EXISTS grants[*].valid_from ON policy_facts TYPE datetime;
DEFINE FIELD IF NOT EXISTS grants[*].valid_until ON policy_facts TYPE option<datetime>;
DEFINE FIELD IF NOT EXISTS grants[*].revoked_at ON policy_facts TYPE option<datetime>;
DEFINE FIELD IF NOT EXISTS glass ON policy_facts TYPE array<object>;
DEFINE FIELD IF NOT EXISTS glass[*].id ON policy_facts TYPE string;
DEFINE FIELD IF NOT EXISTS glass[*].user ON policy_facts TYPE string;
DEFINE FIELD IF NOT EXISTS glass[*].expires_at ON policy_facts TYPE datetime;

DEFINE FUNCTION IF NOT EXISTS fn::facts_refresh($p: string) {
    LET $person = (SELECT owner_org, protection, shredded FROM ONLY type::record('participant', $p));
    IF $person = NONE {
        DELETE type::record('policy_facts', $p) RETURN NONE;
    } ELSE {
        UPSERT type::record('policy_facts', $p) CONTENT {
            owner_org: $person.owner_org,
            protection: $person.protection,
            shredded: $person.shredded,
            team: (SELECT user, org, until FROM case_member WHERE participant = $p ORDER BY user, org),
            grants: (SELECT record::id(id) AS id, recipient_org, categories, valid_from, valid_until, revoked_at
                     FROM consent WHERE participant = $p ORDER BY id),
            glass: (SELECT record::id(id) AS id, user, expires_at FROM break_glass WHERE participant = $p ORDER BY id),
        } RETURN NONE;
    };
};

DEFINE EVENT IF NOT EXISTS policy_facts ON TABLE participant
    WHEN $event != 'UPDATE' OR $before.owner_org != $after.owner_org
        OR $before.protection != $after.protection OR $before.shredded != $after.shredded
    THEN fn::facts_refresh(record::id($value.id));
DEFINE EVENT IF NOT EXISTS policy_facts ON TABLE case_member
    THEN fn::facts_refresh($value.participant);
DEFINE EVENT IF NOT EXISTS policy_facts ON TABLE consent
    THEN fn::facts_refresh($value.participant);
DEFINE EVENT IF NOT EXISTS policy_facts ON TABLE break_glass
    THEN fn::facts_refresh($value.participant);

-- The rows of the participants already registered.
FOR $p IN (SELECT VALUE record::id(id) FROM participant) {
    fn::facts_refresh($p);
};
"#,
    },
    Migration {
        version: 22,
        name: "fn::records without a closure",
        sql: r#"
-- The same records as before (migration 19), the id list walked by a SELECT instead of a closure
-- in `array::map`: a closure costs more with every id in the list it is given, so for 100 ids
-- the lookups took about four times as long. Empty ids are skipped too.
DEFINE FUNCTION OVERWRITE fn::records($table: string, $ids: array) {
    RETURN (SELECT VALUE type::record($table, $this) FROM array::distinct($ids)
        WHERE $this != NONE AND $this != NULL AND $this != '');
};
"#,
    },
    Migration {
        version: 23,
        name: "the dashboard's case figures counted per month on write",
        sql: r#"
-- The case figures of the outcomes dashboard, counted on write: one row per municipality (and
-- '*' for all of them) and month, holding how many cases left a mark of each kind in that month.
-- Every figure over a run of whole months is then a sum over at most a few hundred rows
-- (docs/decisions.md, "The dashboard from monthly counters"):
--   o|…, c|…   a case opened / closed, by SSPF level and by gender and age band: the cases open
--              at some time in months F..T are those opened up to T less those closed before F;
--   e|S, l|S   the case entered / left status S: its status at the end of T is a prefix sum;
--   g|S        a closed case's last status, taken off again for the cases closed before F;
--   x|R        a case closed, by exit reason; a|D, h|D  active / housed, with the days it took;
--   s6|V, s12|V  occupied 6 and 12 months after becoming active, counted in the month it did;
--   ms|K, me|K, mg|K|E  the months a measure of kind K ran (clipped to the case's open time),
--              merged into runs: start, end, and the gap after a run that ended in E. The cases
--              with such a measure in F..T are the runs that reach into F..T less the gaps that
--              lie inside it, which counts each case once however many measures it had.
-- The row ('*', 'due') holds, for open cases, the hour (UTC) each assessment and review is due,
-- and ('*', 'scopes') the number of case rows per municipality. The event below shifts the
-- counters by the difference between a case_stat row's old and new marks, in the transaction of
-- the write; `outcomes::tests` hold them equal to a count over the rows themselves.
DEFINE TABLE IF NOT EXISTS case_month SCHEMAFULL;
DEFINE FIELD IF NOT EXISTS scope ON case_month TYPE string;
DEFINE FIELD IF NOT EXISTS month ON case_month TYPE string;
DEFINE FIELD IF NOT EXISTS n ON case_month TYPE object FLEXIBLE;
DEFINE INDEX IF NOT EXISTS case_month_scope ON case_month FIELDS scope;

-- The marks of one kind of measure, from its month ranges [start, end] sorted by start ('~' for
-- no end yet): a run starts where a range begins after every earlier range has ended.
DEFINE FUNCTION IF NOT EXISTS fn::stat_runs($k: string, $rs: array) -> array {
    LET $ended = array::map($rs, |$r, $i| IF $i = 0 { NONE } ELSE {
        array::max(array::slice($rs, 0, $i).map(|$x| $x[1])) });
    LET $last = array::max($rs.map(|$x| $x[1]));
    RETURN array::concat(
        array::flatten(array::map($rs, |$r, $i|
            IF $i = 0 { [{ m: $r[0], k: 'ms|' + $k }] }
            ELSE IF $r[0] > $ended[$i] { [
                { m: $r[0], k: 'ms|' + $k },
                { m: $ended[$i], k: 'me|' + $k },
                { m: $r[0], k: 'mg|' + $k + '|' + $ended[$i] }] }
            ELSE { [] })),
        IF $last = NONE OR $last = '~' { [] } ELSE { [{ m: $last, k: 'me|' + $k }] });
};

-- The marks of one case_stat row, as { m: month, k: key }.
DEFINE FUNCTION IF NOT EXISTS fn::stat_marks($s: object) -> array {
    LET $om = fn::swedish_month($s.opened_at);
    LET $cm = IF $s.closed_at = NONE { NONE } ELSE { fn::swedish_month($s.closed_at) };
    LET $who = ['sspf|' + $s.sspf_level, 'ga|' + $s.gender + '|' + $s.age_band];
    LET $tr = $s.transitions;
    LET $hour = IF $s.open { [
        IF $s.assessment_due = NONE { '' } ELSE { time::format($s.assessment_due, '%Y-%m-%dT%H') },
        IF $s.review_due = NONE { '' } ELSE { time::format($s.review_due, '%Y-%m-%dT%H') }] } ELSE { [] };
    LET $am = IF $s.active_at = NONE { NONE } ELSE { fn::swedish_month($s.active_at) };
    LET $ranges = $s.measures.map(|$x| {
            kind: $x.kind,
            s: array::max([$x.start, $s.opened_at]),
            e: array::min([$x.end, $s.closed_at].filter(|$v| $v != NONE)),
        })
        .filter(|$r| $r.e = NONE OR $r.s <= $r.e)
        .map(|$r| { kind: $r.kind, ms: fn::swedish_month($r.s),
            me: IF $r.e = NONE { '~' } ELSE { fn::swedish_month($r.e) } });
    RETURN array::concat(
        $who.map(|$w| { m: $om, k: 'o|' + $w }),
        IF $cm = NONE { [] } ELSE { array::concat(
            $who.map(|$w| { m: $cm, k: 'c|' + $w }),
            [{ m: $cm, k: 'x|' + ($s.exit_reason ?? '') }],
            IF array::len($tr) = 0 { [] } ELSE { [{ m: $cm, k: 'g|' + array::last($tr).to }] }) },
        array::flatten(array::map($tr, |$t, $i| IF $i = 0 {
            [{ m: fn::swedish_month($t.at), k: 'e|' + $t.to }] } ELSE { [
            { m: fn::swedish_month($t.at), k: 'e|' + $t.to },
            { m: fn::swedish_month($t.at), k: 'l|' + $tr[$i - 1].to }] })),
        IF $am = NONE { [] } ELSE { [
            { m: $am, k: 'a|' + <string>($s.days_to_active ?? '') },
            { m: $am, k: 's6|' + <string>($s.occupied_6m ?? '') },
            { m: $am, k: 's12|' + <string>($s.occupied_12m ?? '') }] },
        IF $s.housing_at = NONE { [] } ELSE {
            [{ m: fn::swedish_month($s.housing_at), k: 'h|' + <string>($s.days_to_housing ?? '') }] },
        IF array::len($hour) = 0 { [] } ELSE { [
            { m: 'due', k: 'as|' + $hour[0] }, { m: 'due', k: 'rv|' + $hour[1] }] },
        array::flatten(array::distinct($ranges.kind).map(|$k|
            fn::stat_runs($k, array::sort($ranges[WHERE kind = $k].map(|$r| [$r.ms, $r.me]))))));
};

-- A row's marks for its municipality and for all ('*'), each counted $d times.
DEFINE FUNCTION IF NOT EXISTS fn::stat_scoped($s: option<object>, $d: int) -> array {
    IF $s = NONE { RETURN []; };
    LET $marks = fn::stat_marks($s);
    RETURN array::concat(
        $marks.map(|$x| { s: $s.municipality, m: $x.m, k: $x.k, d: $d }),
        $marks.map(|$x| { s: '*', m: $x.m, k: $x.k, d: $d }),
        [{ s: '*', m: 'scopes', k: $s.municipality, d: $d }]);
};

-- Adds counted marks to the counters, one write per row touched; a count that reaches 0 is
-- dropped from its row.
DEFINE FUNCTION IF NOT EXISTS fn::stat_add($marks: array) {
    LET $net = (SELECT s, m, k, math::sum(d) AS d FROM $marks GROUP BY s, m, k);
    LET $net = $net[WHERE d != 0];
    FOR $at IN array::distinct($net.map(|$x| [$x.s, $x.m])) {
        LET $cur = (SELECT VALUE n FROM ONLY type::record('case_month', $at)) ?? {};
        LET $add = object::from_entries($net[WHERE s = $at[0] AND m = $at[1]].map(|$x| [$x.k, <int>$x.d]));
        LET $n = object::from_entries(array::union(object::keys($cur), object::keys($add))
            .map(|$k| [$k, ($cur[$k] ?? 0) + ($add[$k] ?? 0)])
            .filter(|$e| $e[1] != 0));
        UPSERT type::record('case_month', $at) CONTENT { scope: $at[0], month: $at[1], n: $n }
            RETURN NONE;
    };
};

DEFINE EVENT IF NOT EXISTS case_month ON TABLE case_stat
    WHEN $before != $after
    THEN fn::stat_add(array::concat(fn::stat_scoped($before, -1), fn::stat_scoped($after, 1)));

-- The counters of the cases already recorded.
FOR $s IN (SELECT * FROM case_stat) {
    fn::stat_add(fn::stat_scoped($s, 1));
};
"#,
    },
    Migration {
        version: 24,
        name: "contacts per organisation counted as persons and gaps per month",
        sql: r#"
-- Contacts per organisation counted without lists: one row per municipality (and '*' for all of
-- them), organisation and month, with the contacts, the persons (cases) met that month, and the
-- gaps: for each case met this month, the month it was last met before, counted by that month.
-- The persons met at some time in months F..T are the sum of each month's persons less the gaps
-- that lie inside F..T (a case met in months a < b, both in F..T, is counted twice in the sum
-- and once in the gap (a, b)), so the figure is exact and the dashboard reads a few counts per
-- organisation and month instead of the ids of everyone met (docs/decisions.md).
DEFINE TABLE IF NOT EXISTS contact_reach SCHEMAFULL;
DEFINE FIELD IF NOT EXISTS scope ON contact_reach TYPE string;
DEFINE FIELD IF NOT EXISTS org ON contact_reach TYPE string;
DEFINE FIELD IF NOT EXISTS month ON contact_reach TYPE string;
DEFINE FIELD IF NOT EXISTS contacts ON contact_reach TYPE int;
DEFINE FIELD IF NOT EXISTS persons ON contact_reach TYPE int;
DEFINE FIELD IF NOT EXISTS gaps ON contact_reach TYPE object FLEXIBLE;
DEFINE INDEX IF NOT EXISTS contact_reach_scope ON contact_reach FIELDS scope, month;

-- Adds to one counter row: contacts, persons, and the gaps shifted by $gaps ({ month: delta }).
DEFINE FUNCTION IF NOT EXISTS fn::reach_add($at: array, $contacts: int, $persons: int, $gaps: object) {
    LET $cur = (SELECT contacts, persons, gaps FROM ONLY type::record('contact_reach', $at));
    LET $g = $cur.gaps ?? {};
    LET $n = object::from_entries(array::union(object::keys($g), object::keys($gaps))
        .map(|$k| [$k, ($g[$k] ?? 0) + ($gaps[$k] ?? 0)])
        .filter(|$e| $e[1] != 0));
    UPSERT type::record('contact_reach', $at) CONTENT { scope: $at[0], org: $at[1], month: $at[2],
        contacts: ($cur.contacts ?? 0) + $contacts, persons: ($cur.persons ?? 0) + $persons, gaps: $n }
        RETURN NONE;
};

-- The month of each contact, kept with it so that counting one does not work out the month of
-- every earlier contact of its case again.
DEFINE FIELD IF NOT EXISTS month ON contact_stat TYPE option<string>;
UPDATE contact_stat SET month = fn::swedish_month(at) WHERE month = NONE RETURN NONE;

-- Counts a contact in one scope, given the months of every contact of its case with its
-- organisation in that scope (itself included). The first contact of a case with an organisation
-- in a month adds a person, and puts the month between the months the case was met before and
-- after it: the gap (before, after) becomes (before, month) and (month, after).
DEFINE FUNCTION IF NOT EXISTS fn::reach_count($org: string, $scope: string, $month: string, $months: array) {
    IF array::len($months[WHERE $this = $month]) > 1 {
        fn::reach_add([$scope, $org, $month], 1, 0, {});
    } ELSE {
        LET $before = array::max($months[WHERE $this < $month]);
        LET $after = array::min($months[WHERE $this > $month]);
        fn::reach_add([$scope, $org, $month], 1, 1,
            IF $before = NONE { {} } ELSE { object::from_entries([[$before, 1]]) });
        IF $after != NONE {
            fn::reach_add([$scope, $org, $after], 0, 0, object::from_entries(array::concat(
                IF $before = NONE { [] } ELSE { [[$before, -1]] }, [[$month, 1]])));
        };
    };
};

-- One contact: its statistics row, its month's counters (contact_month, migration 20) and its
-- reach in its municipality and in all, in the caller's transaction.
DEFINE FUNCTION OVERWRITE fn::contact_count($stat: string, $org: string, $municipality: string, $at: datetime) {
    LET $month = fn::swedish_month($at);
    CREATE contact_stat CONTENT { stat: $stat, org: $org, municipality: $municipality, at: $at, month: $month }
        RETURN NONE;
    UPSERT type::record('contact_month', [$municipality, $org, $month])
        SET municipality = $municipality, org = $org, month = $month, n = (n ?? 0) + 1,
            cases = array::union(cases ?? [], [$stat])
        RETURN NONE;
    LET $met = (SELECT municipality, month FROM contact_stat WHERE stat = $stat AND org = $org);
    fn::reach_count($org, '*', $month, $met.month);
    fn::reach_count($org, $municipality, $month, $met[WHERE municipality = $municipality].month);
};

-- The reach of the contacts already logged: per case, organisation and scope, the months it was
-- met in order; each month a person, each month after the first a gap from the one before.
DEFINE FUNCTION IF NOT EXISTS fn::reach_marks($scope: string, $org: string, $ms: array) -> array {
    LET $months = array::sort(array::distinct($ms));
    RETURN array::map($months, |$m, $i| { s: $scope, o: $org, m: $m,
        g: IF $i = 0 { NONE } ELSE { $months[$i - 1] } });
};
LET $rows = (SELECT stat, org, municipality, month FROM contact_stat);
LET $marks = array::concat(
    array::flatten((SELECT stat, org, municipality, array::group(month) AS ms FROM $rows
        GROUP BY stat, org, municipality).map(|$x| fn::reach_marks($x.municipality, $x.org, $x.ms))),
    array::flatten((SELECT stat, org, array::group(month) AS ms FROM $rows
        GROUP BY stat, org).map(|$x| fn::reach_marks('*', $x.org, $x.ms))));
FOR $r IN (SELECT s, o, m, count() AS p FROM $marks GROUP BY s, o, m) {
    UPSERT type::record('contact_reach', [$r.s, $r.o, $r.m])
        CONTENT { scope: $r.s, org: $r.o, month: $r.m, contacts: 0, persons: $r.p, gaps: {} } RETURN NONE;
};
FOR $r IN (SELECT s, o, m, g, count() AS n FROM $marks WHERE g != NONE GROUP BY s, o, m, g) {
    UPDATE type::record('contact_reach', [$r.s, $r.o, $r.m]) SET gaps[$r.g] = $r.n RETURN NONE;
};
FOR $r IN (SELECT municipality, org, month, count() AS n FROM $rows GROUP BY municipality, org, month) {
    UPDATE type::record('contact_reach', [$r.municipality, $r.org, $r.month]) SET contacts = $r.n RETURN NONE;
};
FOR $r IN (SELECT org, month, count() AS n FROM $rows GROUP BY org, month) {
    UPDATE type::record('contact_reach', ['*', $r.org, $r.month]) SET contacts = $r.n RETURN NONE;
};
"#,
    },
    Migration {
        version: 25,
        name: "the monthly contact counters with lists of cases are gone: contact_reach counts without them",
        sql: r#"
-- contact_month (migration 20) kept, per municipality, organisation and month, the contacts and
-- the list of every statistics row met. Since migration 24 the dashboard reads contact_reach,
-- which counts the same without a list of who. The lists made every contact rewrite an array
-- that grows with the cases met, and made retention re-key them. The table goes;
-- fn::contact_count keeps contact_stat and contact_reach as before.
REMOVE TABLE IF EXISTS contact_month;
DEFINE FUNCTION OVERWRITE fn::contact_count($stat: string, $org: string, $municipality: string, $at: datetime) {
    LET $month = fn::swedish_month($at);
    CREATE contact_stat CONTENT { stat: $stat, org: $org, municipality: $municipality, at: $at, month: $month }
        RETURN NONE;
    LET $met = (SELECT municipality, month FROM contact_stat WHERE stat = $stat AND org = $org);
    fn::reach_count($org, '*', $month, $met.month);
    fn::reach_count($org, $municipality, $month, $met[WHERE municipality = $municipality].month);
};
"#,
    },
    Migration {
        version: 26,
        name: "the open cases' due hours in one counter row per month",
        sql: r#"
-- Migration 23 kept every open case's assessment and review due hour in one row per scope
-- ('due'), so a change of one due date rewrote an object that grows with the distinct due hours
-- of every open case. They now go in a row per month of the hour ('due|YYYY-MM', the hour's UTC
-- month; 'due|' for an open case without one), each rewritten only by the cases due that month.
DEFINE FUNCTION IF NOT EXISTS fn::due_row($hour: string) -> string {
    RETURN 'due|' + string::slice($hour, 0, 7);
};
DEFINE FUNCTION OVERWRITE fn::stat_marks($s: object) -> array {
    LET $om = fn::swedish_month($s.opened_at);
    LET $cm = IF $s.closed_at = NONE { NONE } ELSE { fn::swedish_month($s.closed_at) };
    LET $who = ['sspf|' + $s.sspf_level, 'ga|' + $s.gender + '|' + $s.age_band];
    LET $tr = $s.transitions;
    LET $hour = IF $s.open { [
        IF $s.assessment_due = NONE { '' } ELSE { time::format($s.assessment_due, '%Y-%m-%dT%H') },
        IF $s.review_due = NONE { '' } ELSE { time::format($s.review_due, '%Y-%m-%dT%H') }] } ELSE { [] };
    LET $am = IF $s.active_at = NONE { NONE } ELSE { fn::swedish_month($s.active_at) };
    LET $ranges = $s.measures.map(|$x| {
            kind: $x.kind,
            s: array::max([$x.start, $s.opened_at]),
            e: array::min([$x.end, $s.closed_at].filter(|$v| $v != NONE)),
        })
        .filter(|$r| $r.e = NONE OR $r.s <= $r.e)
        .map(|$r| { kind: $r.kind, ms: fn::swedish_month($r.s),
            me: IF $r.e = NONE { '~' } ELSE { fn::swedish_month($r.e) } });
    RETURN array::concat(
        $who.map(|$w| { m: $om, k: 'o|' + $w }),
        IF $cm = NONE { [] } ELSE { array::concat(
            $who.map(|$w| { m: $cm, k: 'c|' + $w }),
            [{ m: $cm, k: 'x|' + ($s.exit_reason ?? '') }],
            IF array::len($tr) = 0 { [] } ELSE { [{ m: $cm, k: 'g|' + array::last($tr).to }] }) },
        array::flatten(array::map($tr, |$t, $i| IF $i = 0 {
            [{ m: fn::swedish_month($t.at), k: 'e|' + $t.to }] } ELSE { [
            { m: fn::swedish_month($t.at), k: 'e|' + $t.to },
            { m: fn::swedish_month($t.at), k: 'l|' + $tr[$i - 1].to }] })),
        IF $am = NONE { [] } ELSE { [
            { m: $am, k: 'a|' + <string>($s.days_to_active ?? '') },
            { m: $am, k: 's6|' + <string>($s.occupied_6m ?? '') },
            { m: $am, k: 's12|' + <string>($s.occupied_12m ?? '') }] },
        IF $s.housing_at = NONE { [] } ELSE {
            [{ m: fn::swedish_month($s.housing_at), k: 'h|' + <string>($s.days_to_housing ?? '') }] },
        IF array::len($hour) = 0 { [] } ELSE { [
            { m: fn::due_row($hour[0]), k: 'as|' + $hour[0] },
            { m: fn::due_row($hour[1]), k: 'rv|' + $hour[1] }] },
        array::flatten(array::distinct($ranges.kind).map(|$k|
            fn::stat_runs($k, array::sort($ranges[WHERE kind = $k].map(|$r| [$r.ms, $r.me]))))));
};

-- The rows kept so far, split: each key ('as|HOUR' or 'rv|HOUR') into its month's row.
FOR $r IN (SELECT scope, n FROM case_month WHERE month = 'due') {
    fn::stat_add(object::entries($r.n).map(|$e| {
        s: $r.scope, m: fn::due_row(string::slice($e[0], 3)), k: $e[0], d: $e[1] }));
    DELETE type::record('case_month', [$r.scope, 'due']);
};
"#,
    },
    Migration {
        version: 27,
        name: "users: the interface language each person chose",
        sql: r#"
-- NONE until the person chooses; then 'sv' or 'en', set at sign-in as the page language.
DEFINE FIELD IF NOT EXISTS language ON user TYPE option<string>
    ASSERT $value = NONE OR $value IN ['sv', 'en'];
"#,
    },
    Migration {
        version: 28,
        name: "timeline events: what happened as codes, beside what people wrote",
        sql: r#"
-- Sealed JSON of a `domain::event::EventLine`; NONE on events written before, whose text
-- holds their whole Swedish wording.
DEFINE FIELD IF NOT EXISTS line ON event TYPE option<string>;
"#,
    },
    Migration {
        version: 29,
        name: "list rows of participants, kept by an event",
        sql: r#"
-- What a row of the case list, the search and the work list shows of a participant, in one small
-- row per participant (its id is the participant's). Those lists read these rows by direct
-- lookup instead of the whole participant document, which also holds the sealed contact fields
-- and a sealed copy of every earlier version. The names are the same ciphertexts as in
-- `participant`: they are opened with the associated data of the participant record, so a row
-- copied anywhere else opens nowhere else. The event rewrites the row in the transaction of
-- every write that changes what it shows (`participants::tests` holds it equal to the
-- participant's own fields).
DEFINE TABLE IF NOT EXISTS participant_row SCHEMAFULL;
DEFINE FIELD IF NOT EXISTS first_name ON participant_row TYPE string;
DEFINE FIELD IF NOT EXISTS last_name ON participant_row TYPE string;
DEFINE FIELD IF NOT EXISTS birth_year ON participant_row TYPE int;
DEFINE FIELD IF NOT EXISTS gender ON participant_row TYPE string;
DEFINE FIELD IF NOT EXISTS municipality ON participant_row TYPE string;
DEFINE FIELD IF NOT EXISTS protection ON participant_row TYPE string;
DEFINE FIELD IF NOT EXISTS shredded ON participant_row TYPE bool;

DEFINE FUNCTION IF NOT EXISTS fn::row_refresh($p: string) {
    LET $person = (SELECT first_name, last_name, birth_year, gender, municipality, protection, shredded
        FROM ONLY type::record('participant', $p));
    IF $person = NONE {
        DELETE type::record('participant_row', $p) RETURN NONE;
    } ELSE {
        UPSERT type::record('participant_row', $p) CONTENT $person RETURN NONE;
    };
};

DEFINE EVENT IF NOT EXISTS participant_row ON TABLE participant
    WHEN $event != 'UPDATE' OR $before.first_name != $after.first_name
        OR $before.last_name != $after.last_name OR $before.birth_year != $after.birth_year
        OR $before.gender != $after.gender OR $before.municipality != $after.municipality
        OR $before.protection != $after.protection OR $before.shredded != $after.shredded
    THEN fn::row_refresh(record::id($value.id));

-- The rows of the participants already registered.
FOR $p IN (SELECT VALUE record::id(id) FROM participant) {
    fn::row_refresh($p);
};
"#,
    },
    Migration {
        version: 30,
        name: "a participant's cases on its list row; an organisation's cases by opening",
        sql: r#"
-- The case list reads the cases of every participant the user has a relation to. SurrealDB
-- serves `participant IN $related` from the `case_participant` index only up to 32 values and
-- scans the whole `case` table above, so each participant's list row now names its cases, and
-- the list reads them by direct lookup, whatever their number. The event on `case` rewrites the
-- row in the transaction of every case created, removed or moved to another participant.
DEFINE FIELD IF NOT EXISTS cases ON participant_row TYPE array<record<case>>;

DEFINE FUNCTION OVERWRITE fn::row_refresh($p: string) {
    LET $person = (SELECT first_name, last_name, birth_year, gender, municipality, protection, shredded
        FROM ONLY type::record('participant', $p));
    IF $person = NONE {
        DELETE type::record('participant_row', $p) RETURN NONE;
    } ELSE {
        UPSERT type::record('participant_row', $p) CONTENT {
            first_name: $person.first_name,
            last_name: $person.last_name,
            birth_year: $person.birth_year,
            gender: $person.gender,
            municipality: $person.municipality,
            protection: $person.protection,
            shredded: $person.shredded,
            cases: (SELECT VALUE id FROM case WHERE participant = $p ORDER BY id),
        } RETURN NONE;
    };
};

DEFINE EVENT IF NOT EXISTS participant_row ON TABLE case
    WHEN $event != 'UPDATE' OR $before.participant != $after.participant
    THEN {
        fn::row_refresh($value.participant);
        IF $event = 'UPDATE' { fn::row_refresh($before.participant); };
    };

-- An organisation's newest cases, of any status or of one, are a backward range of one of these
-- indexes, cut at the list's limit, instead of every case of the organisation read and sorted.
-- (A condition on the status evaluated beside the range keeps SurrealDB from cutting it.)
DEFINE INDEX IF NOT EXISTS case_owner_opened ON case FIELDS owner_org, opened_at;
DEFINE INDEX IF NOT EXISTS case_owner_status_opened ON case FIELDS owner_org, status, opened_at;

FOR $p IN (SELECT VALUE record::id(id) FROM participant) {
    fn::row_refresh($p);
};
"#,
    },
    Migration {
        version: 31,
        name: "the log review's two questions as ranges of an index, newest first",
        sql: r#"
-- "Who has read this person" and "what did this user read" are the newest entries naming the
-- participant, or by the user. SurrealDB never serves `participants CONTAINS $x` from an index
-- of the whole array (`FIELDS participants`): it walked the log from its newest entry and tested
-- each one until it had found its limit, which for a person read a few times is the whole log.
-- An index of each element with the sequence number after it, and the actor with the sequence
-- number after it, are walked newest first and cut at the limit (the plan test
-- `review::tests::the_reviewers_questions_read_a_range_of_an_index_cut_at_the_limit`).
REMOVE INDEX IF EXISTS audit_participants ON audit;
REMOVE INDEX IF EXISTS audit_actor ON audit;
DEFINE INDEX IF NOT EXISTS audit_participant_seq ON audit FIELDS participants.*, seq;
DEFINE INDEX IF NOT EXISTS audit_actor_seq ON audit FIELDS actor, seq;
"#,
    },
    Migration {
        version: 32,
        name: "list rows of cases: the case, its participant's list row and policy facts in one row, kept by events",
        sql: r#"
-- What the case list, the search and the work list read of a case, in one row per case (its id
-- is the case's): the case's columns, what its participant's list row shows (the same sealed
-- names, opened with the participant record's associated data), the participant's other cases,
-- and the participant's policy facts. A list of a hundred cases read a case, a policy-facts row
-- and a participant row for each, three lookups at about 15 µs each; it now reads one row per
-- case, the organisation's newest as a backward range of an index cut at the limit.
-- The events rewrite a case's row in the transaction of every write to the case, to its
-- participant's list row or to its participant's policy facts (which themselves follow every
-- write to what they are made of), so no write path can forget it. A row whose case,
-- participant row or policy facts are gone is removed. `participants::tests` holds every row
-- equal to a recomputation, on the demo store and after writes of every kind.
DEFINE TABLE IF NOT EXISTS case_row SCHEMAFULL;
DEFINE FIELD IF NOT EXISTS participant ON case_row TYPE string;
DEFINE FIELD IF NOT EXISTS owner_org ON case_row TYPE string;
DEFINE FIELD IF NOT EXISTS status ON case_row TYPE string;
DEFINE FIELD IF NOT EXISTS responsible ON case_row TYPE string;
DEFINE FIELD IF NOT EXISTS opened_at ON case_row TYPE datetime;
DEFINE FIELD IF NOT EXISTS first_name ON case_row TYPE string;
DEFINE FIELD IF NOT EXISTS last_name ON case_row TYPE string;
DEFINE FIELD IF NOT EXISTS birth_year ON case_row TYPE int;
DEFINE FIELD IF NOT EXISTS gender ON case_row TYPE string;
DEFINE FIELD IF NOT EXISTS municipality ON case_row TYPE string;
DEFINE FIELD IF NOT EXISTS protection ON case_row TYPE string;
DEFINE FIELD IF NOT EXISTS shredded ON case_row TYPE bool;
DEFINE FIELD IF NOT EXISTS others ON case_row TYPE array<string>;
DEFINE FIELD IF NOT EXISTS subject_org ON case_row TYPE string;
DEFINE FIELD IF NOT EXISTS team ON case_row TYPE array<object>;
DEFINE FIELD IF NOT EXISTS team[*].user ON case_row TYPE string;
DEFINE FIELD IF NOT EXISTS team[*].org ON case_row TYPE string;
DEFINE FIELD IF NOT EXISTS team[*].until ON case_row TYPE option<datetime>;
DEFINE FIELD IF NOT EXISTS grants ON case_row TYPE array<object>;
DEFINE FIELD IF NOT EXISTS grants[*].id ON case_row TYPE string;
DEFINE FIELD IF NOT EXISTS grants[*].recipient_org ON case_row TYPE string;
DEFINE FIELD IF NOT EXISTS grants[*].categories ON case_row TYPE array<string>;
DEFINE FIELD IF NOT EXISTS grants[*].valid_from ON case_row TYPE datetime;
DEFINE FIELD IF NOT EXISTS grants[*].valid_until ON case_row TYPE option<datetime>;
DEFINE FIELD IF NOT EXISTS grants[*].revoked_at ON case_row TYPE option<datetime>;
DEFINE FIELD IF NOT EXISTS glass ON case_row TYPE array<object>;
DEFINE FIELD IF NOT EXISTS glass[*].id ON case_row TYPE string;
DEFINE FIELD IF NOT EXISTS glass[*].user ON case_row TYPE string;
DEFINE FIELD IF NOT EXISTS glass[*].expires_at ON case_row TYPE datetime;
-- An organisation's newest cases, of any status or of one: a backward range cut at the limit.
DEFINE INDEX IF NOT EXISTS case_row_owner_opened ON case_row FIELDS owner_org, opened_at;
DEFINE INDEX IF NOT EXISTS case_row_owner_status_opened ON case_row FIELDS owner_org, status, opened_at;

DEFINE FUNCTION IF NOT EXISTS fn::case_row_refresh($c: string) {
    LET $case = (SELECT participant, owner_org, status, responsible, opened_at
        FROM ONLY type::record('case', $c));
    LET $person = IF $case = NONE THEN NONE
        ELSE (SELECT * FROM ONLY type::record('participant_row', $case.participant)) END;
    LET $facts = IF $person = NONE THEN NONE
        ELSE (SELECT * FROM ONLY type::record('policy_facts', $case.participant)) END;
    IF $facts = NONE {
        DELETE type::record('case_row', $c) RETURN NONE;
    } ELSE {
        UPSERT type::record('case_row', $c) CONTENT {
            participant: $case.participant,
            owner_org: $case.owner_org,
            status: $case.status,
            responsible: $case.responsible,
            opened_at: $case.opened_at,
            first_name: $person.first_name,
            last_name: $person.last_name,
            birth_year: $person.birth_year,
            gender: $person.gender,
            municipality: $person.municipality,
            protection: $person.protection,
            shredded: $person.shredded,
            others: array::complement($person.cases.map(|$x| record::id($x)), [$c]),
            subject_org: $facts.owner_org,
            team: $facts.team,
            grants: $facts.grants,
            glass: $facts.glass,
        } RETURN NONE;
    };
};

DEFINE EVENT IF NOT EXISTS case_row ON TABLE case
    WHEN $event != 'UPDATE' OR $before.participant != $after.participant
        OR $before.owner_org != $after.owner_org OR $before.status != $after.status
        OR $before.responsible != $after.responsible OR $before.opened_at != $after.opened_at
    THEN fn::case_row_refresh(record::id($value.id));
DEFINE EVENT IF NOT EXISTS case_row ON TABLE participant_row
    THEN {
        FOR $c IN array::union($before.cases ?? [], $after.cases ?? []) {
            fn::case_row_refresh(record::id($c));
        };
    };
DEFINE EVENT IF NOT EXISTS case_row ON TABLE policy_facts
    THEN {
        FOR $c IN (SELECT VALUE record::id(id) FROM case WHERE participant = record::id($value.id)) {
            fn::case_row_refresh($c);
        };
    };

-- Each participant's list row names its case rows too, so that the cases of many participants
-- are read as rows by direct lookup: the `cases` are records of `case`, and a record of one
-- table does not name the row of another without a function called for each.
DEFINE FIELD IF NOT EXISTS case_rows ON participant_row TYPE array<record<case_row>>;

DEFINE FUNCTION OVERWRITE fn::row_refresh($p: string) {
    LET $person = (SELECT first_name, last_name, birth_year, gender, municipality, protection, shredded
        FROM ONLY type::record('participant', $p));
    IF $person = NONE {
        DELETE type::record('participant_row', $p) RETURN NONE;
    } ELSE {
        LET $cases = (SELECT VALUE id FROM case WHERE participant = $p ORDER BY id);
        UPSERT type::record('participant_row', $p) CONTENT {
            first_name: $person.first_name,
            last_name: $person.last_name,
            birth_year: $person.birth_year,
            gender: $person.gender,
            municipality: $person.municipality,
            protection: $person.protection,
            shredded: $person.shredded,
            cases: $cases,
            case_rows: $cases.map(|$c| type::record('case_row', record::id($c))),
        } RETURN NONE;
    };
};

-- The rows of the cases already opened: rewriting each participant's list row rewrites the
-- rows of its cases (the event above).
FOR $p IN (SELECT VALUE record::id(id) FROM participant) {
    fn::row_refresh($p);
};
"#,
    },
    Migration {
        version: 33,
        name: "each user's participants by team membership in one row, kept by an event",
        sql: r#"
-- The participants on whose teams a user is (any part, ended or not: the policy decides what an
-- ended membership still allows), in one row per user (its id is the user's). The case list
-- begins with a user's relations; it read one `case_member` entry of the `case_member_user`
-- index and its record for each case the user is on, about a hundred for a case worker, and
-- reads one row by key instead. The event rewrites the rows of the member's user before and
-- after the write, in the transaction of every write to `case_member`, so no write path can
-- forget it; a user on no team has no row. `participants::tests` holds every row equal to a
-- recomputation, on the demo store and after writes of every kind.
DEFINE TABLE IF NOT EXISTS member_row SCHEMAFULL;
DEFINE FIELD IF NOT EXISTS participants ON member_row TYPE array<string>;

DEFINE FUNCTION IF NOT EXISTS fn::member_row_refresh($u: string) {
    LET $ps = array::sort(array::distinct(SELECT VALUE participant FROM case_member WHERE user = $u));
    IF array::len($ps) = 0 {
        DELETE type::record('member_row', $u) RETURN NONE;
    } ELSE {
        UPSERT type::record('member_row', $u) CONTENT { participants: $ps } RETURN NONE;
    };
};

DEFINE EVENT IF NOT EXISTS member_row ON TABLE case_member
    THEN {
        FOR $u IN array::distinct([$before.user, $after.user]) {
            IF $u != NONE { fn::member_row_refresh($u); };
        };
    };

-- The rows of the users already on teams.
FOR $u IN array::distinct(SELECT VALUE user FROM case_member) {
    fn::member_row_refresh($u);
};
"#,
    },
    Migration {
        version: 34,
        name: "policy facts follow a team membership, consent or break-glass moved to another participant",
        sql: r#"
-- The events of migration 21 refreshed the policy facts of the participant a membership,
-- consent or break-glass names after the write (`$value`), so one moved to another participant
-- left the first participant's facts naming it: a user moved off a team would still read the
-- case as a team member. No write path moves one today; the facts must not depend on that. Each
-- event now refreshes the participant before and the participant after the write, through one
-- function.
DEFINE FUNCTION IF NOT EXISTS fn::facts_refresh_moved($from: option<string>, $to: option<string>) {
    FOR $p IN array::distinct([$from, $to]) {
        IF $p != NONE { fn::facts_refresh($p); };
    };
};
DEFINE EVENT OVERWRITE policy_facts ON TABLE case_member
    THEN fn::facts_refresh_moved($before.participant, $after.participant);
DEFINE EVENT OVERWRITE policy_facts ON TABLE consent
    THEN fn::facts_refresh_moved($before.participant, $after.participant);
DEFINE EVENT OVERWRITE policy_facts ON TABLE break_glass
    THEN fn::facts_refresh_moved($before.participant, $after.participant);

-- Facts left stale by such a move before this migration.
FOR $p IN (SELECT VALUE record::id(id) FROM participant) {
    fn::facts_refresh($p);
};
"#,
    },
    Migration {
        version: 35,
        name: "the audit chain's head is its newest entry; no record names it",
        sql: r#"
-- An entry is stored under its position (`audit:<seq>`): two writers that chain after the same
-- entry create the same record and only one commits, so the head record's compare-and-swap is
-- no longer needed (it cost a quarter of every append). The head is read from the log itself
-- (`core/src/audit/head.rs`).
REMOVE TABLE IF EXISTS audit_head;
"#,
    },
];

/// The SurrealQL of migration `version` (tests that apply a migration's fill again).
#[cfg(test)]
pub(crate) fn sql_of(version: u32) -> &'static str {
    MIGRATIONS
        .iter()
        .find(|m| m.version == version)
        .map(|m| m.sql)
        .unwrap_or_else(|| panic!("no migration {version}"))
}

/// Runs migration `version`'s statements again in one transaction, as [`migrate`] does on a
/// store from before it (without recording it).
#[cfg(test)]
pub(crate) async fn rerun(db: &Db, version: u32) {
    db.q(format!(
        "BEGIN TRANSACTION;\n{}\nCOMMIT TRANSACTION;",
        sql_of(version)
    ))
    .run()
    .await
    .unwrap_or_else(|e| panic!("migration {version}: {e:?}"));
}

#[derive(serde::Deserialize)]
struct Applied {
    #[allow(dead_code)]
    version: u32,
}

/// Applies every migration not yet recorded. Returns the versions applied by this call.
pub(crate) async fn migrate(db: &Db) -> Result<Vec<u32>, DbError> {
    db.q("DEFINE TABLE IF NOT EXISTS migration SCHEMAFULL;
         DEFINE FIELD IF NOT EXISTS version ON migration TYPE int;
         DEFINE FIELD IF NOT EXISTS name ON migration TYPE string;
         DEFINE FIELD IF NOT EXISTS applied_at ON migration TYPE datetime;")
        .run()
        .await?;
    let mut applied_now = Vec::new();
    for m in MIGRATIONS {
        for attempt in 0..5 {
            let mut rows = db
                .q("SELECT version FROM migration WHERE version = $v")
                .bind("v", m.version)
                .run()
                .await?;
            if rows.first::<Applied>(0)?.is_some() {
                break;
            }
            let sql = format!(
                "BEGIN TRANSACTION;\n{}\nCREATE type::record('migration', $v) CONTENT {{ version: $v, name: $name, applied_at: time::now() }};\nCOMMIT TRANSACTION;",
                m.sql
            );
            match db
                .q(sql)
                .bind("v", m.version)
                .bind("name", m.name)
                .run()
                .await
            {
                Ok(_) => {
                    tracing::info!(version = m.version, name = m.name, "migration applied");
                    applied_now.push(m.version);
                    break;
                }
                Err(e) if e.is_conflict() && attempt < 4 => {
                    tokio::time::sleep(std::time::Duration::from_millis(50 * (attempt + 1))).await;
                }
                Err(e) => return Err(e),
            }
        }
    }
    Ok(applied_now)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::CoreSettings;

    #[tokio::test]
    async fn migrations_are_idempotent() {
        let db = crate::db::connect(&CoreSettings::for_tests().db)
            .await
            .unwrap();
        let first = migrate(&db).await.unwrap();
        assert_eq!(
            first,
            MIGRATIONS.iter().map(|m| m.version).collect::<Vec<_>>()
        );
        let second = migrate(&db).await.unwrap();
        assert!(second.is_empty(), "second start applied {second:?}");
        let mut rows = db
            .q("SELECT count() AS n FROM migration GROUP ALL")
            .run()
            .await
            .unwrap();
        let n = rows.value(0)[0]["n"].as_u64().unwrap();
        assert_eq!(n as usize, MIGRATIONS.len());
    }

    #[tokio::test]
    async fn records_are_looked_up_by_key_once_each_and_missing_ones_dropped() {
        let db = crate::db::connect(&CoreSettings::for_tests().db)
            .await
            .unwrap();
        migrate(&db).await.unwrap();
        let ids: Vec<String> = db
            .q("CREATE probe:a, probe:b, probe:c RETURN NONE;
                SELECT VALUE record::id(id) FROM fn::records('probe', ['c', 'a', 'c', 'nobody', NONE, '']) WHERE id != NONE;")
            .run()
            .await
            .unwrap()
            .all(1)
            .unwrap();
        assert_eq!(ids, ["c", "a"]);
        // A direct lookup, not a scan of the table.
        let plan: String = db
            .q("EXPLAIN SELECT id FROM fn::records('probe', ['a']) WHERE id != NONE")
            .run()
            .await
            .unwrap()
            .first(0)
            .unwrap()
            .unwrap();
        assert!(!plan.contains("TableScan"), "{plan}");
    }

    /// An event that follows a field of the record written (its participant, its user) follows
    /// that field's value before the write as well as after it: otherwise a record moved to
    /// another participant leaves the first one's derived rows stale, as the policy facts'
    /// events did until migration 34. `$value` is the record after the write (before it, for a
    /// delete); a record's own id never changes. Read from the store's own definitions, so an
    /// event a later migration overwrites is checked as it stands.
    #[tokio::test]
    async fn every_event_follows_a_field_before_and_after_the_write() {
        /// The field names that follow each occurrence of `var` (as `$value.`) in `def`.
        fn fields<'a>(def: &'a str, var: &str) -> Vec<&'a str> {
            def.match_indices(var)
                .map(|(at, _)| {
                    let rest = &def[at + var.len()..];
                    let end = rest
                        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                        .unwrap_or(rest.len());
                    &rest[..end]
                })
                .collect()
        }
        let db = crate::db::connect(&CoreSettings::for_tests().db)
            .await
            .unwrap();
        migrate(&db).await.unwrap();
        let info = db.q("INFO FOR DB").run().await.unwrap().value(0);
        let tables: Vec<String> = info["tables"]
            .as_object()
            .map(|t| t.keys().cloned().collect())
            .unwrap_or_default();
        let (mut events, mut offenders) = (0, Vec::new());
        for table in tables {
            let info = db
                .q(format!("INFO FOR TABLE `{table}`"))
                .run()
                .await
                .unwrap()
                .value(0);
            for (name, def) in info["events"].as_object().into_iter().flatten() {
                let def = def.as_str().unwrap_or_default();
                events += 1;
                for field in fields(def, "$value.")
                    .into_iter()
                    .chain(fields(def, "$after."))
                {
                    if field != "id" && !def.contains(&format!("$before.{field}")) {
                        offenders.push(format!("{table}.{name}: {field}"));
                    }
                }
            }
        }
        assert!(events >= 10, "{events} events read");
        assert!(offenders.is_empty(), "{offenders:?}");
    }

    /// Filters on `record::id(id) IN …` make SurrealDB scan the whole table; the core fetches
    /// rows by their ids with `fn::records` instead. Comments may name the pattern.
    #[test]
    fn no_query_of_the_core_filters_on_record_ids_in_a_list() {
        let pattern = concat!("record::id(id) ", "IN ");
        let mut offenders = Vec::new();
        let mut dirs = vec![std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src")];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    dirs.push(path);
                } else if path.extension().is_some_and(|e| e == "rs") {
                    let text = std::fs::read_to_string(&path).unwrap();
                    for (n, line) in text.lines().enumerate() {
                        let code = line.trim_start();
                        if code.contains(pattern)
                            && !code.starts_with("//")
                            && !code.starts_with("--")
                        {
                            offenders.push(format!("{}:{}", path.display(), n + 1));
                        }
                    }
                }
            }
        }
        assert!(offenders.is_empty(), "{offenders:?}");
    }

    #[test]
    fn migration_versions_are_strictly_increasing() {
        assert!(MIGRATIONS.windows(2).all(|w| w[0].version < w[1].version));
    }
}
