//! Outcome statistics as the dashboard and the funder report show them, and the disclosure rules
//! they follow.
//!
//! A figure about fewer than [`MIN_CELL`] persons is never shown: the cell reads "< 5" (primary
//! suppression). A table that also shows its totals could give a hidden cell back by
//! subtraction, so whenever a row or column (totals included) has exactly one hidden entry, the
//! next smallest entry in it is hidden too, until no line has a single hidden entry (secondary
//! suppression). Shares and medians are hidden when the group, the part or the rest is too small.
//! Every rule is applied here, on the server, before a figure leaves the core.

use serde::{Deserialize, Serialize};

use crate::casework::{LifeDomain, MeasureKind};
use crate::rating::Rater;
use crate::{CaseStatus, Gender, SspfLevel};

/// The smallest number of persons a shown figure may describe.
pub const MIN_CELL: u32 = 5;

/// One count as shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Cell {
    Count(u32),
    Suppressed,
}

impl Cell {
    pub fn shown(self) -> Option<u32> {
        match self {
            Cell::Count(n) => Some(n),
            Cell::Suppressed => None,
        }
    }

    /// "12" or "< 5".
    pub fn text(self) -> String {
        match self {
            Cell::Count(n) => n.to_string(),
            Cell::Suppressed => format!("< {MIN_CELL}"),
        }
    }
}

/// A table of person counts: rows × columns, with row and/or column totals, all suppressed
/// together.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CountTable {
    pub rows: Vec<String>,
    pub cols: Vec<String>,
    /// `cells[r][c]`.
    pub cells: Vec<Vec<Cell>>,
    /// The total of each row (present when the table has more than one column and row totals).
    pub row_totals: Option<Vec<Cell>>,
    /// The total of each column.
    pub col_totals: Option<Vec<Cell>>,
    /// The grand total (present whenever either kind of total is).
    pub total: Option<Cell>,
}

/// Which totals a table shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Totals {
    pub rows: bool,
    pub cols: bool,
}

impl Totals {
    pub const BOTH: Totals = Totals {
        rows: true,
        cols: true,
    };
    pub const COLUMNS: Totals = Totals {
        rows: false,
        cols: true,
    };
    pub const NONE: Totals = Totals {
        rows: false,
        cols: false,
    };
}

impl CountTable {
    /// Builds the table from raw counts and applies primary and secondary suppression.
    /// `raw[r][c]`; every row must have `cols.len()` entries.
    pub fn suppressed(
        rows: Vec<String>,
        cols: Vec<String>,
        raw: Vec<Vec<u32>>,
        totals: Totals,
    ) -> CountTable {
        let nr = rows.len();
        let nc = cols.len();
        // Row totals of a one-column table repeat the cells; they are not shown.
        let show_rt = totals.rows && nc > 1;
        let show_ct = totals.cols && nr > 0;
        let show_total = show_rt || show_ct;
        // The grid: cells, then the row-total column, then the column-total row.
        let w = nc + 1;
        let h = nr + 1;
        let mut v = vec![vec![0u32; w]; h];
        for (r, row) in raw.iter().enumerate().take(nr) {
            for c in 0..nc {
                let n = row.get(c).copied().unwrap_or(0);
                v[r][c] = n;
                v[r][nc] += n;
                v[nr][c] += n;
                v[nr][nc] += n;
            }
        }
        let present = |r: usize, c: usize| -> bool {
            match (r == nr, c == nc) {
                (false, false) => true,
                (false, true) => show_rt,
                (true, false) => show_ct,
                (true, true) => show_total,
            }
        };
        let mut hidden = vec![vec![false; w]; h];
        for r in 0..h {
            for c in 0..w {
                if present(r, c) && v[r][c] < MIN_CELL {
                    hidden[r][c] = true;
                }
            }
        }
        // The lines whose entries add up: each row with its total (when row totals show), each
        // column with its total (when column totals show).
        let mut lines: Vec<Vec<(usize, usize)>> = Vec::new();
        if show_rt {
            for r in 0..nr {
                lines.push((0..w).map(|c| (r, c)).collect());
            }
            // The row totals add up to the grand total.
            lines.push((0..h).map(|r| (r, nc)).collect());
        }
        if show_ct {
            for c in 0..nc {
                lines.push((0..h).map(|r| (r, c)).collect());
            }
            // The column totals add up to the grand total.
            lines.push((0..w).map(|c| (nr, c)).collect());
        }
        loop {
            let mut changed = false;
            for line in &lines {
                let n_hidden = line.iter().filter(|&&(r, c)| hidden[r][c]).count();
                if n_hidden != 1 {
                    continue;
                }
                // Hide the smallest shown entry, preferring an inner cell over a total.
                let pick = line
                    .iter()
                    .filter(|&&(r, c)| !hidden[r][c])
                    .min_by_key(|&&(r, c)| (r == nr || c == nc, v[r][c]));
                if let Some(&(r, c)) = pick {
                    hidden[r][c] = true;
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }
        let cell = |r: usize, c: usize| {
            if hidden[r][c] {
                Cell::Suppressed
            } else {
                Cell::Count(v[r][c])
            }
        };
        CountTable {
            cells: (0..nr)
                .map(|r| (0..nc).map(|c| cell(r, c)).collect())
                .collect(),
            row_totals: show_rt.then(|| (0..nr).map(|r| cell(r, nc)).collect()),
            col_totals: show_ct.then(|| (0..nc).map(|c| cell(nr, c)).collect()),
            total: show_total.then(|| cell(nr, nc)),
            rows,
            cols,
        }
    }

    /// A one-column table (a breakdown with its total).
    pub fn breakdown(rows: Vec<(String, u32)>, col: &str, with_total: bool) -> CountTable {
        let (labels, raw): (Vec<String>, Vec<Vec<u32>>) =
            rows.into_iter().map(|(l, n)| (l, vec![n])).unzip();
        CountTable::suppressed(
            labels,
            vec![col.to_string()],
            raw,
            if with_total {
                Totals::COLUMNS
            } else {
                Totals::NONE
            },
        )
    }

    /// Every line of a table whose entries add up: if exactly one entry is hidden, it could be
    /// recovered by subtraction.
    pub fn has_recoverable_line(&self) -> bool {
        let t = self;
        let mut lines: Vec<Vec<Cell>> = Vec::new();
        if let Some(rt) = &t.row_totals {
            for (row, total) in t.cells.iter().zip(rt) {
                let mut l = row.clone();
                l.push(*total);
                lines.push(l);
            }
            let mut l = rt.clone();
            l.extend(t.total);
            lines.push(l);
        }
        if let Some(ct) = &t.col_totals {
            for (c, total) in ct.iter().enumerate() {
                let mut l = t.column(c);
                l.push(*total);
                lines.push(l);
            }
            let mut l = ct.clone();
            l.extend(t.total);
            lines.push(l);
        }
        lines
            .iter()
            .any(|l| l.iter().filter(|c| **c == Cell::Suppressed).count() == 1)
    }

    /// The cells of one column, top to bottom.
    pub fn column(&self, c: usize) -> Vec<Cell> {
        self.cells
            .iter()
            .map(|r| r.get(c).copied().unwrap_or(Cell::Suppressed))
            .collect()
    }
}

/// A share of a group, e.g. "with work or studies at 6 months".
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum Share {
    /// `part` of `of` persons; `percent` rounded to a whole number.
    Shown { part: u32, of: u32, percent: u32 },
    /// The group, the part or the rest counts fewer than [`MIN_CELL`] persons.
    Suppressed,
}

impl Share {
    pub fn of(part: u32, of: u32) -> Share {
        let part = part.min(of);
        if of < MIN_CELL || part < MIN_CELL || of - part < MIN_CELL {
            return Share::Suppressed;
        }
        Share::Shown {
            part,
            of,
            percent: ((f64::from(part) * 100.0 / f64::from(of)).round()) as u32,
        }
    }

    pub fn text(self) -> String {
        match self {
            Share::Shown { percent, .. } => format!("{percent} %"),
            Share::Suppressed => format!("< {MIN_CELL}"),
        }
    }
}

/// A median over a group of persons (days).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum Median {
    Shown { days: u32, of: u32 },
    Suppressed,
}

impl Median {
    pub fn of(days: Option<f64>, of: u32) -> Median {
        match days {
            Some(d) if of >= MIN_CELL && d.is_finite() && d >= 0.0 => Median::Shown {
                days: d.round() as u32,
                of,
            },
            _ => Median::Suppressed,
        }
    }

    pub fn text(self) -> String {
        match self {
            Median::Shown { days, .. } => format!("{days} dagar"),
            Median::Suppressed => format!("< {MIN_CELL}"),
        }
    }
}

/// Contacts logged by one organisation in the period, and how many persons they concerned.
/// Both are hidden when fewer than five persons are behind them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrgContacts {
    pub org: String,
    pub contacts: Cell,
    pub persons: Cell,
}

impl OrgContacts {
    pub fn new(org: String, contacts: u32, persons: u32) -> OrgContacts {
        if persons < MIN_CELL {
            OrgContacts {
                org,
                contacts: Cell::Suppressed,
                persons: Cell::Suppressed,
            }
        } else {
            OrgContacts {
                org,
                contacts: Cell::Count(contacts),
                persons: Cell::Count(persons),
            }
        }
    }
}

/// The outcomes of a program for a period and a municipality (or all).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Outcomes {
    pub from: chrono::NaiveDate,
    pub to: chrono::NaiveDate,
    /// `None`: every municipality.
    pub municipality: Option<String>,
    /// The funded project the figures are limited to, by name and number.
    #[serde(default)]
    pub project: Option<String>,
    /// Municipalities with statistics, for the chooser.
    pub municipalities: Vec<String>,
    /// Participants with a case open at some time in the period.
    pub participants: Cell,
    /// Girls and women among them.
    pub female_share: Share,
    /// Status at the end of the period.
    pub by_status: CountTable,
    pub by_sspf: CountTable,
    /// Rows: gender; columns: age band at intake.
    pub gender_age: CountTable,
    /// Rows: month; columns: intake, exits.
    pub per_month: CountTable,
    /// Median days from referral to active, for cases that became active in the period.
    pub days_to_active: Median,
    /// Median days from referral to stable housing, for those housed in the period.
    pub days_to_housing: Median,
    /// Work or studies 6 and 12 months after the start, for those whose point fell in the period.
    pub occupied_6m: Share,
    pub occupied_12m: Share,
    /// Open cases today with a threat assessment / plan review not overdue.
    pub assessment_current: Share,
    pub review_current: Share,
    /// Persons with a protective measure of each kind in force during the period.
    pub measures: CountTable,
    /// Exits in the period by reason.
    pub exits: CountTable,
    pub contacts: Vec<OrgContacts>,
    /// Distance travelled per life domain, one entry per rater (case worker, participant).
    #[serde(default)]
    pub distance: Vec<Distance>,
}

/// A median change on the 1–5 scale (steps; a half step when the middle falls between two).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum Change {
    Shown { steps: f64, of: u32 },
    Suppressed,
}

impl Change {
    /// The median of `changes`, hidden for fewer than [`MIN_CELL`] persons.
    pub fn of(changes: &[i32]) -> Change {
        if changes.len() < MIN_CELL as usize {
            return Change::Suppressed;
        }
        let mut v = changes.to_vec();
        v.sort_unstable();
        let n = v.len();
        let steps = if n % 2 == 1 {
            f64::from(v[n / 2])
        } else {
            f64::from(v[n / 2 - 1] + v[n / 2]) / 2.0
        };
        Change::Shown {
            steps,
            of: n as u32,
        }
    }

    /// "+1", "−0,5", "0" or "< 5".
    pub fn text(self) -> String {
        match self {
            Change::Shown { steps, .. } => signed(steps),
            Change::Suppressed => format!("< {MIN_CELL}"),
        }
    }
}

/// A change written with its sign and a decimal comma: "+1", "−0,5", "0".
pub fn signed(steps: f64) -> String {
    let abs = steps.abs();
    let body = if abs.fract() == 0.0 {
        format!("{abs:.0}")
    } else {
        format!("{abs:.1}").replace('.', ",")
    };
    match steps {
        s if s > 0.0 => format!("+{body}"),
        s if s < 0.0 => format!("\u{2212}{body}"),
        _ => body,
    }
}

/// The bands the distribution of changes is counted in: (lowest, highest, code). Single steps
/// near zero are kept apart; the rare large changes share a band so fewer cells are hidden.
pub const CHANGE_BANDS: [(i32, i32, &str); 5] = [
    (-4, -2, "-4..-2"),
    (-1, -1, "-1"),
    (0, 0, "0"),
    (1, 1, "+1"),
    (2, 4, "+2..+4"),
];

/// Distance travelled for one rater: for each person with an intake rating and a later one,
/// the latest score minus the intake score, per life domain.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Distance {
    /// Whose ratings: a [`Rater`](crate::rating::Rater) code until named (`Outcomes::named`).
    pub rater: String,
    /// Persons with at least one domain rated at intake and later.
    pub persons: Cell,
    /// Per life domain (its code until named), the median change.
    pub medians: Vec<(String, Change)>,
    /// Rows: domains; columns: [`CHANGE_BANDS`]; row totals: persons per domain.
    pub bands: CountTable,
}

impl Distance {
    /// Builds the figures from each domain's changes (`per_domain[i]` for `domains[i]`) and the
    /// number of persons behind them, with the dashboard's suppression.
    pub fn new(rater: &str, domains: &[&str], per_domain: &[Vec<i32>], persons: u32) -> Distance {
        let band = |d: i32, (lo, hi, _): (i32, i32, &str)| d >= lo && d <= hi;
        Distance {
            rater: rater.to_string(),
            persons: if persons < MIN_CELL {
                Cell::Suppressed
            } else {
                Cell::Count(persons)
            },
            medians: domains
                .iter()
                .zip(per_domain)
                .map(|(d, v)| (d.to_string(), Change::of(v)))
                .collect(),
            bands: CountTable::suppressed(
                domains.iter().map(|d| d.to_string()).collect(),
                CHANGE_BANDS.iter().map(|b| b.2.to_string()).collect(),
                per_domain
                    .iter()
                    .map(|v| {
                        CHANGE_BANDS
                            .iter()
                            .map(|b| v.iter().filter(|d| band(**d, *b)).count() as u32)
                            .collect()
                    })
                    .collect(),
                Totals {
                    rows: true,
                    cols: false,
                },
            ),
        }
    }
}

/// Age bands at intake, as the dashboard groups them.
pub const AGE_BANDS: &[(&str, &str)] = &[
    ("12-17", "12–17 år"),
    ("18-20", "18–20 år"),
    ("21-25", "21–25 år"),
    ("26+", "26 år och äldre"),
];

/// The codes the outcome tables' columns are named by, beside the codes of the domain's values
/// (statuses, SSPF levels, genders, measure kinds, life domains, raters), the age bands and the
/// change bands.
pub const PARTICIPANTS: &str = "participants";
pub const INTAKE: &str = "intake";
pub const EXITS: &str = "exits";

/// Names for the codes of the outcome tables: the report file names them in Swedish
/// ([`Swedish`]), a page in its own language.
pub trait Namer {
    fn status(&self, s: CaseStatus) -> String;
    fn sspf(&self, s: SspfLevel) -> String;
    fn gender(&self, g: Gender) -> String;
    fn measure(&self, k: MeasureKind) -> String;
    fn life_domain(&self, d: LifeDomain) -> String;
    fn rater(&self, r: Rater) -> String;
    /// An [`AGE_BANDS`] code.
    fn age_band(&self, code: &str) -> String;
    /// A [`CHANGE_BANDS`] code.
    fn change_band(&self, code: &str) -> String;
    /// [`PARTICIPANTS`], [`INTAKE`] or [`EXITS`].
    fn column(&self, code: &str) -> String;
}

/// The Swedish names: the domain's labels, as the report file has always had them.
pub struct Swedish;

impl Namer for Swedish {
    fn status(&self, s: CaseStatus) -> String {
        s.label().to_string()
    }
    fn sspf(&self, s: SspfLevel) -> String {
        s.label().to_string()
    }
    fn gender(&self, g: Gender) -> String {
        g.label().to_string()
    }
    fn measure(&self, k: MeasureKind) -> String {
        k.label().to_string()
    }
    fn life_domain(&self, d: LifeDomain) -> String {
        d.label().to_string()
    }
    fn rater(&self, r: Rater) -> String {
        r.label().to_string()
    }
    fn age_band(&self, code: &str) -> String {
        AGE_BANDS
            .iter()
            .find(|(c, _)| *c == code)
            .map_or(code, |(_, l)| l)
            .to_string()
    }
    fn change_band(&self, code: &str) -> String {
        match code {
            "-4..-2" => "\u{2212}2 till \u{2212}4".to_string(),
            "+2..+4" => "+2 till +4".to_string(),
            other => other.replace('-', "\u{2212}"),
        }
    }
    fn column(&self, code: &str) -> String {
        match code {
            PARTICIPANTS => "Deltagare",
            INTAKE => "Intag",
            EXITS => "Avslut",
            other => other,
        }
        .to_string()
    }
}

/// The value of `all` whose code is `code`, named; an unknown code as it is.
fn named_code<T: Copy>(
    all: &[T],
    code_of: fn(T) -> &'static str,
    code: &str,
    name: impl Fn(T) -> String,
) -> String {
    all.iter()
        .find(|x| code_of(**x) == code)
        .map_or_else(|| code.to_string(), |x| name(*x))
}

impl CountTable {
    fn named(mut self, rows: impl Fn(&str) -> String, cols: impl Fn(&str) -> String) -> Self {
        self.rows = self.rows.iter().map(|r| rows(r)).collect();
        self.cols = self.cols.iter().map(|c| cols(c)).collect();
        self
    }
}

impl Outcomes {
    /// The figures with every coded row, column and rater named by `n`. Months,
    /// municipalities, projects and organisations are names already.
    pub fn named(mut self, n: &impl Namer) -> Outcomes {
        let status = |c: &str| named_code(&CaseStatus::ALL, CaseStatus::as_str, c, |s| n.status(s));
        let column = |c: &str| n.column(c);
        self.by_status = self.by_status.named(status, column);
        self.by_sspf = self.by_sspf.named(
            |c| named_code(&SspfLevel::ALL, SspfLevel::as_str, c, |s| n.sspf(s)),
            column,
        );
        self.gender_age = self.gender_age.named(
            |c| named_code(&Gender::ALL, Gender::as_str, c, |g| n.gender(g)),
            |c| n.age_band(c),
        );
        self.per_month = self.per_month.named(str::to_string, column);
        self.measures = self.measures.named(
            |c| named_code(MeasureKind::ALL, MeasureKind::as_str, c, |k| n.measure(k)),
            column,
        );
        self.exits = self.exits.named(status, column);
        let domain =
            |c: &str| named_code(LifeDomain::ALL, LifeDomain::as_str, c, |d| n.life_domain(d));
        for d in &mut self.distance {
            d.rater = named_code(&Rater::ALL, Rater::as_str, &d.rater, |r| n.rater(r));
            for (code, _) in &mut d.medians {
                *code = domain(code);
            }
            d.bands = std::mem::take(&mut d.bands).named(domain, |c| n.change_band(c));
        }
        self
    }
}

/// The funder report's columns, in order (documented in docs/reports.md).
pub const REPORT_COLUMNS: [&str; 5] = ["avsnitt", "grupp", "kolumn", "värde", "enhet"];

/// The funder report as rows of [`REPORT_COLUMNS`]: every figure of the outcomes, each hidden
/// figure as "<5", the tables' codes named in Swedish. Written as CSV by the core.
pub fn report_rows(o: Outcomes) -> Vec<[String; 5]> {
    let o = &o.named(&Swedish);
    let mut out: Vec<[String; 5]> = Vec::new();
    let mut push = |a: &str, g: &str, k: &str, v: String, u: &str| {
        out.push([a.into(), g.into(), k.into(), v, u.into()]);
    };
    let cell = |c: Cell| match c {
        Cell::Count(n) => n.to_string(),
        Cell::Suppressed => format!("<{MIN_CELL}"),
    };
    let share = |s: Share| match s {
        Share::Shown { percent, .. } => percent.to_string(),
        Share::Suppressed => format!("<{MIN_CELL}"),
    };
    let median = |m: Median| match m {
        Median::Shown { days, .. } => days.to_string(),
        Median::Suppressed => format!("<{MIN_CELL}"),
    };
    push("urval", "period", "från", o.from.to_string(), "datum");
    push("urval", "period", "till", o.to.to_string(), "datum");
    push(
        "urval",
        "kommun",
        "",
        o.municipality.clone().unwrap_or_else(|| "Alla".into()),
        "",
    );
    if let Some(p) = &o.project {
        push("urval", "projekt", "", p.clone(), "");
    }
    push("deltagare", "totalt", "", cell(o.participants), "personer");
    push(
        "deltagare",
        "flickor och kvinnor",
        "",
        share(o.female_share),
        "procent",
    );
    let mut table = |name: &str, t: &CountTable| {
        for (r, row) in t.rows.iter().enumerate() {
            for (c, col) in t.cols.iter().enumerate() {
                push(name, row, col, cell(t.cells[r][c]), "personer");
            }
            if let Some(rt) = &t.row_totals {
                push(name, row, "Totalt", cell(rt[r]), "personer");
            }
        }
        if let Some(ct) = &t.col_totals {
            for (c, col) in t.cols.iter().enumerate() {
                push(name, "Totalt", col, cell(ct[c]), "personer");
            }
        }
        if let (Some(tot), true) = (t.total, t.row_totals.is_some()) {
            push(name, "Totalt", "Totalt", cell(tot), "personer");
        }
    };
    table("status", &o.by_status);
    table("sspf-nivå", &o.by_sspf);
    table("kön och ålder", &o.gender_age);
    table("intag och avslut per månad", &o.per_month);
    table("skyddsåtgärder", &o.measures);
    table("avslut efter orsak", &o.exits);
    push(
        "tid",
        "från anmälan till aktiv",
        "median",
        median(o.days_to_active),
        "dagar",
    );
    push(
        "tid",
        "från anmälan till stabilt boende",
        "median",
        median(o.days_to_housing),
        "dagar",
    );
    push(
        "sysselsättning",
        "arbete eller studier efter 6 månader",
        "",
        share(o.occupied_6m),
        "procent",
    );
    push(
        "sysselsättning",
        "arbete eller studier efter 12 månader",
        "",
        share(o.occupied_12m),
        "procent",
    );
    push(
        "aktualitet",
        "aktuell hotbedömning",
        "",
        share(o.assessment_current),
        "procent",
    );
    push(
        "aktualitet",
        "planuppföljning i tid",
        "",
        share(o.review_current),
        "procent",
    );
    for d in &o.distance {
        let section = format!("förflyttning: {}", d.rater.to_lowercase());
        push(&section, "personer", "", cell(d.persons), "personer");
        for (domain, m) in &d.medians {
            let v = match m {
                Change::Shown { steps, .. } => signed(*steps).replace('\u{2212}', "-"),
                Change::Suppressed => format!("<{MIN_CELL}"),
            };
            push(&section, domain, "median", v, "steg");
        }
        let t = &d.bands;
        for (r, row) in t.rows.iter().enumerate() {
            for (c, col) in t.cols.iter().enumerate() {
                push(&section, row, col, cell(t.cells[r][c]), "personer");
            }
            if let Some(rt) = &t.row_totals {
                push(&section, row, "Totalt", cell(rt[r]), "personer");
            }
        }
    }
    for c in &o.contacts {
        push(
            "kontakter",
            &c.org,
            "kontakter",
            cell(c.contacts),
            "kontakter",
        );
        push("kontakter", &c.org, "personer", cell(c.persons), "personer");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn cells_under_five_are_hidden_and_the_rest_shown() {
        let t = CountTable::breakdown(
            vec![
                ("a".into(), 4),
                ("b".into(), 5),
                ("c".into(), 0),
                ("d".into(), 30),
            ],
            "Antal",
            false,
        );
        assert_eq!(
            t.column(0),
            vec![
                Cell::Suppressed,
                Cell::Count(5),
                Cell::Suppressed,
                Cell::Count(30)
            ]
        );
        assert_eq!(t.total, None);
    }

    #[test]
    fn a_single_hidden_cell_beside_a_total_takes_the_next_smallest_with_it() {
        let t = CountTable::breakdown(
            vec![
                ("a".into(), 3),
                ("b".into(), 9),
                ("c".into(), 7),
                ("d".into(), 30),
            ],
            "Antal",
            true,
        );
        // 3 alone would be total - 9 - 7 - 30; 7 goes too.
        assert_eq!(
            t.column(0),
            vec![
                Cell::Suppressed,
                Cell::Count(9),
                Cell::Suppressed,
                Cell::Count(30)
            ]
        );
        assert_eq!(t.total, Some(Cell::Count(49)));
        assert!(!t.has_recoverable_line());
    }

    #[test]
    fn no_line_of_a_two_way_table_has_a_single_hidden_entry() {
        let t = CountTable::suppressed(
            strings(&["Flickor", "Pojkar", "Annat"]),
            strings(&["12–17", "18–20", "21–25", "26+"]),
            vec![vec![2, 8, 11, 6], vec![14, 40, 52, 38], vec![0, 1, 0, 0]],
            Totals::BOTH,
        );
        assert!(!t.has_recoverable_line(), "{t:#?}");
        assert_eq!(t.cells[0][0], Cell::Suppressed);
        assert_eq!(t.total, Some(Cell::Count(172)));
        // A figure that is shown is the true count.
        assert_eq!(t.cells[1][2], Cell::Count(52));
    }

    #[test]
    fn suppression_holds_for_every_small_table() {
        // Exhaustive over 2×2 tables with cells 0..=7 and all total layouts.
        for a in 0..8 {
            for b in 0..8 {
                for c in 0..8 {
                    for d in 0..8 {
                        for totals in [Totals::BOTH, Totals::COLUMNS] {
                            let t = CountTable::suppressed(
                                strings(&["r1", "r2"]),
                                strings(&["c1", "c2"]),
                                vec![vec![a, b], vec![c, d]],
                                totals,
                            );
                            assert!(!t.has_recoverable_line(), "{a} {b} {c} {d}: {t:?}");
                            let raw = [[a, b], [c, d]];
                            for (r, row) in t.cells.iter().enumerate() {
                                for (k, cell) in row.iter().enumerate() {
                                    match cell {
                                        Cell::Count(n) => {
                                            assert!(*n >= MIN_CELL);
                                            assert_eq!(*n, raw[r][k]);
                                        }
                                        Cell::Suppressed => {}
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn a_share_is_hidden_when_the_part_or_the_rest_is_small() {
        assert_eq!(Share::of(3, 40), Share::Suppressed);
        assert_eq!(Share::of(37, 40), Share::Suppressed);
        assert_eq!(Share::of(2, 4), Share::Suppressed);
        assert_eq!(
            Share::of(10, 40),
            Share::Shown {
                part: 10,
                of: 40,
                percent: 25
            }
        );
        assert_eq!(Share::of(10, 40).text(), "25 %");
    }

    #[test]
    fn a_median_of_fewer_than_five_is_hidden() {
        assert_eq!(Median::of(Some(12.0), 4), Median::Suppressed);
        assert_eq!(Median::of(Some(12.4), 5).text(), "12 dagar");
        assert_eq!(Median::of(None, 9), Median::Suppressed);
    }

    #[test]
    fn a_median_change_of_fewer_than_five_is_hidden_and_shown_with_its_sign() {
        assert_eq!(Change::of(&[1, 2, 3, 4]), Change::Suppressed);
        assert_eq!(Change::of(&[1, 2, 3, 4, 0]).text(), "+2");
        assert_eq!(Change::of(&[-1, 0, -1, 1, -2, -1]).text(), "\u{2212}1");
        assert_eq!(Change::of(&[0, 0, 1, 1, 2, -1]).text(), "+0,5");
        let d = Distance::new("X", &["Boende", "Hälsa"], &[vec![1; 12], vec![0, 0, 1]], 12);
        assert_eq!(d.persons, Cell::Count(12));
        assert_eq!(d.medians[1].1, Change::Suppressed);
        assert_eq!(d.bands.cells[0][3], Cell::Count(12));
        assert!(!d.bands.has_recoverable_line());
        assert_eq!(
            Distance::new("X", &["Boende"], &[vec![1; 4]], 4).persons,
            Cell::Suppressed
        );
    }

    /// The tables carry codes; the report file names them in the words it has always had.
    #[test]
    fn the_report_names_the_tables_codes_in_its_swedish_words() {
        let n = Swedish;
        let t = CountTable::breakdown(
            vec![
                (CaseStatus::Active.as_str().into(), 12),
                (CaseStatus::Moved.as_str().into(), 9),
            ],
            PARTICIPANTS,
            true,
        )
        .named(
            |c| named_code(&CaseStatus::ALL, CaseStatus::as_str, c, |s| n.status(s)),
            |c| n.column(c),
        );
        assert_eq!(t.rows, strings(&["Aktiv", "Flyttad"]));
        assert_eq!(t.cols, strings(&["Deltagare"]));
        assert_eq!(n.age_band("26+"), "26 år och äldre");
        assert_eq!(n.change_band("-4..-2"), "\u{2212}2 till \u{2212}4");
        assert_eq!(n.change_band("-1"), "\u{2212}1");
        assert_eq!(n.change_band("+1"), "+1");
        assert_eq!(
            named_code(&Rater::ALL, Rater::as_str, "case_worker", |r| n.rater(r)),
            "Handläggarens skattning"
        );
        // A name already (a month, an organisation) stays as it is.
        assert_eq!(
            named_code(&CaseStatus::ALL, CaseStatus::as_str, "2026-03", |s| n
                .status(s)),
            "2026-03"
        );
    }

    #[test]
    fn contacts_of_few_persons_are_hidden_together() {
        let o = OrgContacts::new("Passus".into(), 40, 3);
        assert_eq!(
            (o.contacts, o.persons),
            (Cell::Suppressed, Cell::Suppressed)
        );
        let o = OrgContacts::new("Passus".into(), 40, 12);
        assert_eq!((o.contacts, o.persons), (Cell::Count(40), Cell::Count(12)));
    }
}
