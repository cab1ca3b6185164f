//! The narrative text of a draft SOC 2 report: the notice that marks it as a draft, the
//! service auditor's report (Section I), management's assertion (Section II), and the
//! opening paragraphs of Sections III, IV and V.
//!
//! Every function is pure and returns plain paragraphs separated by one blank line, with
//! no other markup; a list item is a paragraph that starts with "- ". The caller renders
//! the text to Markdown, HTML or PDF. The wording is Assay's own: it follows the structure
//! a SOC 2 report must have, and the CPA firm that examines the system is expected to
//! revise it, opinion included.
//!
//! Type I and Type II differ throughout: a Type I speaks of design "as of" one date and
//! never of operating effectiveness as something examined; a Type II speaks of design and
//! operating effectiveness "throughout the period".

/// Type I (design as of a date) or Type II (design and operating effectiveness over a period).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportType {
    /// Design and implementation of controls as of one date.
    Type1,
    /// Design and operating effectiveness of controls throughout a period.
    Type2,
}

pub use assay_engine::rule::OpinionKind;

/// What a modified opinion rests on, kept apart: deviations (the evidence obtained shows a
/// criterion was not met) and scope limitations (the evidence could not be obtained), with
/// the criteria a qualified opinion is given "except for", and the work left while the
/// examination is in progress. Each item is a whole sentence.
#[derive(Debug, Clone, Copy, Default)]
pub struct Matters<'a> {
    /// Criteria not met, one sentence each.
    pub deviations: &'a [String],
    /// Criteria the evidence could not speak to, one sentence each.
    pub limitations: &'a [String],
    /// The criteria of a qualified opinion.
    pub except_for: &'a [String],
    /// Work left, one line per criterion (an examination in progress).
    pub remaining: &'a [String],
}

impl Matters<'_> {
    fn is_empty(&self) -> bool {
        self.deviations.is_empty() && self.limitations.is_empty()
    }
}

/// The title of the paragraph that states the basis for a modified opinion.
fn basis_title(kind: OpinionKind) -> &'static str {
    match kind {
        OpinionKind::InProgress | OpinionKind::Unmodified => "",
        OpinionKind::Qualified => "Basis for Qualified Opinion",
        OpinionKind::Adverse => "Basis for Adverse Opinion",
        OpinionKind::Disclaimer => "Basis for Disclaimer of Opinion",
    }
}

/// Facts the text needs.
#[derive(Debug, Clone, Copy)]
pub struct Facts<'a> {
    /// Service organization name (legal name when known).
    pub organization: &'a str,
    /// System name.
    pub system: &'a str,
    /// Type I or Type II.
    pub report_type: ReportType,
    /// First day of the period, YYYY-MM-DD (same as `period_end` for Type I).
    pub period_start: &'a str,
    /// Last day of the period, YYYY-MM-DD (the as-of date for Type I).
    pub period_end: &'a str,
    /// Categories in scope, as input words, e.g. `["security", "availability"]`.
    pub categories: &'a [&'a str],
    /// Names of carved-out subservice organizations.
    pub subservice: &'a [&'a str],
    /// Whether complementary user entity controls exist.
    pub has_cuecs: bool,
}

/// The line the CPA firm replaces with its signature block.
const AUDITOR_SIGNATURE: &str =
    "[Service auditor's firm, city, date of report — to be completed by the CPA firm]";

/// The line management replaces with its signature.
const MANAGEMENT_SIGNATURE: &str = "[Name, title — to be signed by management]";

/// A short, prominent notice that the document is a draft made by software, not a CPA's
/// report, and must not be distributed as a SOC 2 report.
pub fn draft_notice() -> String {
    paragraphs(vec![
        "DRAFT — NOT A SOC 2 REPORT.".to_string(),
        "Assay, a software tool, produced this document from the evidence in its locker and \
         from encoded judgment rules. It is not a report of a certified public accountant. \
         Only a licensed CPA firm can issue an opinion on a service organization's controls, \
         and only after performing its own examination procedures; that firm may change any \
         part of this text, including the opinion. Do not distribute this document as a \
         SOC 2 report, or present it to anyone as one."
            .to_string(),
    ])
}

/// Section I: the independent service auditor's report, as a draft for the CPA firm.
///
/// The deviations and limitations in `m` become "- " paragraphs of the basis paragraph,
/// under their own leads; they are ignored for an unmodified opinion. An examination in
/// progress gets no report at all: a statement that no opinion is formed, the matters found
/// so far and the work left.
pub fn section1_opinion(f: &Facts<'_>, kind: OpinionKind, m: &Matters<'_>) -> String {
    if kind == OpinionKind::InProgress {
        return section1_in_progress(f, m);
    }
    let org = f.organization;
    let when = period(f);
    let examined = examined(f);
    let mut p = vec![
        "[Draft prepared by Assay for the service auditor's consideration. The CPA firm \
         decides the final wording and the opinion.]"
            .to_string(),
        format!("To the management of {org}:"),
    ];

    // Scope.
    p.push(format!(
        "We have examined the description of {org}'s {sys} system {when} (the description), \
         prepared in accordance with the description criteria in DC section 200 (the \
         description criteria), and the {examined} of the controls stated in the description \
         {when} to provide reasonable assurance that {org}'s service commitments and system \
         requirements {achieved} based on the trust services criteria relevant to {cats} \
         (the applicable trust services criteria).",
        sys = f.system,
        achieved = achieved(f),
        cats = categories_phrase(f.categories),
    ));
    if f.report_type == ReportType::Type1 {
        p.push(
            "We did not perform procedures to evaluate the operating effectiveness of \
             controls, and we express no opinion on it."
                .to_string(),
        );
    }
    p.extend(carve_out_paragraph(f));
    p.extend(cuec_paragraph(f));
    p.push(format!(
        "The information in Section V, Other information provided by {org}, is presented by \
         management to give additional information and is not part of the description. It \
         was not subjected to the procedures applied in our examination, and we express no \
         opinion on it."
    ));

    // Service organization's responsibilities.
    p.push(format!(
        "{org} is responsible for its service commitments and system requirements, and for \
         designing, implementing and operating effective controls within the system to \
         provide reasonable assurance that they are achieved. In Section II, {org} has given \
         an assertion about the presentation of the description and the {examined} of the \
         controls stated in it. {org} is also responsible for preparing the description and \
         the assertion, including their completeness and accuracy and the way they are \
         presented; for providing the services the description covers; for selecting the \
         applicable trust services criteria and stating the related controls; and for \
         identifying the risks that threaten the achievement of its service commitments and \
         system requirements."
    ));

    // Service auditor's responsibilities.
    p.push(auditor_responsibility(f, kind));
    p.push(format!(
        "We are required to be independent of {org} and to meet our other ethical \
         responsibilities under the requirements that apply to this engagement."
    ));
    // A disclaimer describes no procedures: there was no examination to rely on.
    if kind != OpinionKind::Disclaimer {
        p.extend(examination_paragraphs(f));
    }

    // Inherent limitations.
    p.push(format!(
        "The description is prepared to meet the common needs of a broad range of users and \
         may therefore not include every aspect of the system that a particular user may \
         consider important. Because of their nature, controls may not always operate as \
         intended, and so may fail to provide reasonable assurance that the service \
         commitments and system requirements are achieved. {projection}",
        projection = if is_type2(f) {
            "Projecting any evaluation of effectiveness to later periods carries the risk \
             that controls become inadequate because conditions change, or that compliance \
             with policies and procedures declines."
        } else {
            "Projecting any conclusion about the suitability of design to a later date \
             carries the risk that controls become inadequate because conditions change, or \
             that compliance with policies and procedures declines."
        },
    ));

    // Basis for a modified opinion, then the opinion.
    if kind != OpinionKind::Unmodified {
        p.extend(basis_paragraphs(kind, m));
    }
    p.extend(opinion_paragraphs(f, kind, m));

    // Restricted use.
    p.push(restricted_use(f));
    p.push(AUDITOR_SIGNATURE.to_string());
    paragraphs(p)
}

/// What an examination involves, and where Section IV lists the tests.
fn examination_paragraphs(f: &Facts<'_>) -> Vec<String> {
    let org = f.organization;
    let mut p = vec!["An examination of this kind involves:".to_string()];
    let mut steps = vec![
        format!(
            "obtaining an understanding of the system and of {org}'s service commitments and \
             system requirements"
        ),
        format!(
            "assessing the risks that the description is not presented in accordance with \
             the description criteria and that the controls were not suitably designed{or_oe}",
            or_oe = if is_type2(f) {
                " or did not operate effectively"
            } else {
                ""
            },
        ),
        "performing procedures to obtain evidence about whether the description is \
         presented in accordance with the description criteria"
            .to_string(),
        format!(
            "performing procedures to obtain evidence about whether the controls stated in \
             the description were suitably designed and implemented to provide reasonable \
             assurance that {org}'s service commitments and system requirements {achieved} \
             based on the applicable trust services criteria",
            achieved = achieved(f),
        ),
    ];
    if is_type2(f) {
        steps.push(format!(
            "testing the operating effectiveness of those controls to assess whether they \
             provided reasonable assurance that {org}'s service commitments and system \
             requirements were achieved based on the applicable trust services criteria"
        ));
    }
    steps.push("evaluating the overall presentation of the description".to_string());
    p.extend(clause_list(steps));
    p.push(
        "Our examination also included such other procedures as we considered necessary in \
         the circumstances."
            .to_string(),
    );
    p.push(if is_type2(f) {
        "Section IV lists the controls we tested, the nature, timing and extent of our \
         tests, and their results."
            .to_string()
    } else {
        "Section IV lists the applicable trust services criteria and the controls stated in \
         the description that address them."
            .to_string()
    });

    p
}

/// The basis for a modified opinion: deviations and scope limitations under their own leads.
fn basis_paragraphs(kind: OpinionKind, m: &Matters<'_>) -> Vec<String> {
    let mut p = vec![format!("{}.", basis_title(kind))];
    if m.is_empty() {
        p.extend(reason_list(&[]));
        return p;
    }
    if !m.deviations.is_empty() {
        p.push(match kind {
            OpinionKind::Adverse => "Our tests found deviations whose effects are both material \
                 and pervasive. The following criteria were not met:"
                .to_string(),
            _ => "Our tests found deviations that are material to the criteria they concern, \
                 but not pervasive. The following criteria were not met:"
                .to_string(),
        });
        p.extend(reason_list(m.deviations));
    }
    if !m.limitations.is_empty() {
        p.push(match kind {
            OpinionKind::Disclaimer => "We were unable to obtain sufficient appropriate \
                 evidence about the following criteria, and the possible effects are pervasive:"
                .to_string(),
            _ => "We were unable to obtain sufficient appropriate evidence about the following \
                 criteria:"
                .to_string(),
        });
        p.extend(reason_list(m.limitations));
    }
    p
}

/// Section I while the examination is in progress: no report and no opinion, only where the
/// examination stands.
fn section1_in_progress(f: &Facts<'_>, m: &Matters<'_>) -> String {
    let org = f.organization;
    let mut p = vec![
        "[Examination in progress. This is not a report: the CPA firm forms no opinion until \
         its fieldwork is finished.]"
            .to_string(),
        format!("To the management of {org}:"),
        format!(
            "Examination in progress. We have not finished our examination of the description \
             of {org}'s {sys} system {when} and of the {examined} of the controls stated in it. \
             No opinion is expressed, and none should be inferred from this draft.",
            sys = f.system,
            when = period(f),
            examined = examined(f),
        ),
    ];
    if !m.deviations.is_empty() {
        p.push(
            "Deviations found so far. The following criteria are not met on the evidence \
                obtained to date:"
                .to_string(),
        );
        p.extend(reason_list(m.deviations));
    }
    if !m.remaining.is_empty() {
        p.push("Work remaining, by criterion:".to_string());
        p.extend(reason_list(m.remaining));
    }
    paragraphs(p)
}

/// Section II: management's assertion, in the first person plural of the service
/// organization, ending with a signature line for management to complete. It is modified to
/// match the opinion: a modified opinion never sits beside an unmodified assertion, and an
/// examination in progress has nothing for management to sign yet.
pub fn section2_assertion(f: &Facts<'_>, kind: OpinionKind, m: &Matters<'_>) -> String {
    let when = period(f);
    let cats = categories_phrase(f.categories);
    let designed = if is_type2(f) {
        "were suitably designed and operated effectively"
    } else {
        "were suitably designed"
    };
    let mut p = vec![
        "[Draft assertion prepared with Assay from the workspace. Management must review, \
         correct and sign it before giving it to the service auditor.]"
            .to_string(),
        format!(
            "We have prepared the accompanying description of our {sys} system {when} (the \
             description) in accordance with the criteria for a description of a service \
             organization's system in DC section 200 (the description criteria). The \
             description is meant to give users information about the system that may help \
             them understand the risks arising from their interactions with it, in \
             particular whether the controls stated in the description {designed} to provide \
             reasonable assurance that our service commitments and system requirements \
             {achieved} based on the trust services criteria relevant to {cats} (the \
             applicable trust services criteria).",
            sys = f.system,
            achieved = achieved(f),
        ),
    ];
    if !f.subservice.is_empty() {
        p.push(format!(
            "We use {names} as {which}. The description includes only our controls and \
             excludes the controls of {those}. It also indicates that some of the applicable \
             trust services criteria can be met only if complementary subservice \
             organization controls, assumed in the design of our controls, are {suitable} \
             together with our related controls. The description does not extend to the \
             controls of {those}.",
            names = subservice_names(f),
            which = subservice_word(f),
            those = those_organizations(f),
            suitable = suitable(f),
        ));
    }
    if f.has_cuecs {
        p.push(format!(
            "The description also indicates that some of the applicable trust services \
             criteria can be met only if complementary user entity controls, assumed in the \
             design of our controls, are {suitable} together with our related controls. The \
             description does not extend to the controls of user entities.",
            suitable = suitable(f),
        ));
    }
    p.push("We confirm, to the best of our knowledge and belief, that:".to_string());
    // The clause a modified opinion concerns: operating effectiveness for a Type II, design
    // for a Type I.
    let except = match kind {
        OpinionKind::Qualified | OpinionKind::Disclaimer => {
            "except for the matters described in the following paragraph, "
        }
        _ => "",
    };
    let mut items = vec![format!(
        "the description presents our {sys} system that was designed and implemented {when} \
         in accordance with the description criteria",
        sys = f.system,
    )];
    let design = if kind == OpinionKind::Adverse && !is_type2(f) {
        format!(
            "because of the matters described in the following paragraph, the controls stated \
             in the description were not suitably designed {when} to provide reasonable \
             assurance that our service commitments and system requirements would be achieved \
             based on the applicable trust services criteria"
        )
    } else {
        format!(
            "{lead}the controls stated in the description were suitably designed {when} to \
             provide reasonable assurance that our service commitments and system requirements \
             would be achieved based on the applicable trust services criteria, if our controls \
             operated effectively {then}{compl}",
            lead = if is_type2(f) { "" } else { except },
            then = that_time(f),
            compl = complementary_if(f, "our", " and if the", ""),
        )
    };
    items.push(design);
    if is_type2(f) {
        items.push(if kind == OpinionKind::Adverse {
            format!(
                "because of the matters described in the following paragraph, the controls \
                 stated in the description did not operate effectively {when} to provide \
                 reasonable assurance that our service commitments and system requirements were \
                 achieved based on the applicable trust services criteria"
            )
        } else {
            format!(
                "{except}the controls stated in the description operated effectively {when} to \
                 provide reasonable assurance that our service commitments and system \
                 requirements were achieved based on the applicable trust services \
                 criteria{compl}",
                compl = complementary_if(f, "our", ", if the", " also"),
            )
        });
    }
    p.extend(clause_list(items));
    if matches!(
        kind,
        OpinionKind::Qualified | OpinionKind::Adverse | OpinionKind::Disclaimer
    ) {
        if !m.deviations.is_empty() {
            p.push(
                "Our controls did not meet the following criteria during the period:".to_string(),
            );
            p.extend(reason_list(m.deviations));
        }
        if !m.limitations.is_empty() {
            p.push(
                "Sufficient evidence could not be provided to the service auditor about the \
                 following criteria:"
                    .to_string(),
            );
            p.extend(reason_list(m.limitations));
        }
    }
    if kind == OpinionKind::InProgress {
        p.insert(
            0,
            "[Not for signature: the examination is in progress. Management asserts only when \
             the examination is concluded, and modifies this assertion to match the matters \
             found.]"
                .to_string(),
        );
        return paragraphs(p);
    }
    p.push(f.organization.to_string());
    p.push(MANAGEMENT_SIGNATURE.to_string());
    paragraphs(p)
}

/// The opening paragraphs of Section III, the description of the system prepared by
/// management under the DC 200 headings.
pub fn section3_intro(f: &Facts<'_>) -> String {
    let org = f.organization;
    let changes = if is_type2(f) {
        "significant changes to the system during the period; "
    } else {
        ""
    };
    paragraphs(vec![
        format!(
            "This section was prepared by the management of {org}. It describes the {sys} \
             system {when}, following the description criteria in DC section 200: the types \
             of services provided; the principal service commitments and system \
             requirements; the components of the system (infrastructure, software, people, \
             procedures and data) and its boundaries; significant system incidents; \
             {changes}the control environment, risk assessment, information and \
             communication, monitoring and control activities that bear on the applicable \
             trust services criteria; the controls expected of user entities and of \
             subservice organizations; and any applicable trust services criteria that are \
             not relevant to the system, with the reasons.",
            sys = f.system,
            when = period(f),
        ),
        format!(
            "Assay drafted this section from the workspace: the inventory of the system, the \
             policies and the control files. The management of {org} is responsible for its \
             completeness and accuracy and must review it before the report is issued."
        ),
    ])
}

/// The introduction to Section IV: the trust services criteria, the related controls, the
/// tests performed and their results, and how to read them.
pub fn section4_intro(f: &Facts<'_>) -> String {
    let org = f.organization;
    let mut p = vec![format!(
        "This section lists, for each applicable trust services criterion relevant to {cats}, \
         the controls {org} has stated in the description to address it, the tests performed \
         on each control and their results.",
        cats = categories_phrase(f.categories),
    )];
    if f.report_type == ReportType::Type1 {
        p.push(format!(
            "This is a Type I report: tests of operating effectiveness were not performed. \
             The procedures listed for each control were performed to evaluate its design \
             and whether it had been implemented as of {end}; their results speak to design \
             and implementation only.",
            end = f.period_end,
        ));
    }
    p.push("Each test uses one or more of the following methods:".to_string());
    p.extend(
        [
            format!(
                "Inquiry: asking personnel of {org} who know the control how it is \
                 performed. Inquiry alone is not sufficient evidence; it was always combined \
                 with one of the methods below."
            ),
            "Observation: watching the control being performed, or the system applying it."
                .to_string(),
            "Inspection: examining documents, records, configurations and system output \
             for evidence that the control was set up or performed as described."
                .to_string(),
            "Re-performance: carrying out the control again independently and comparing the \
             outcome with the one recorded."
                .to_string(),
        ]
        .into_iter()
        .map(|s| format!("- {s}")),
    );
    p.push(format!(
        "Automated tests. For many controls, Assay ran the test's population query over the \
         evidence collected {scope} and checked the expected condition on every row, so the \
         whole population was tested rather than a sample. Each result names the rows that \
         failed the condition and the hashes of the evidence it used, so the test can be run \
         again and each row traced to its source system.",
        scope = match f.report_type {
            ReportType::Type1 => format!("as of {}", f.period_end),
            ReportType::Type2 => format!("for the period {} to {}", f.period_start, f.period_end),
        },
    ));
    p.push(
        "Samples. Where a control is performed by people, a sample was selected from its \
         population, with a size that depends on how often the control operates. The random \
         seed and the keys of the selected items are recorded with the test, so anyone can \
         repeat the selection and obtain the same sample."
            .to_string(),
    );
    p.push(
        "Results. Where a test found no deviations, the result reads \"No exceptions noted\". \
         Otherwise the result gives the number of exceptions, the size of the population or \
         sample, and the key of each exception, a name that can be found in the source \
         system. Management's responses to exceptions, where given, appear next to them."
            .to_string(),
    );
    p.push(
        "In this draft, the tests and results are those Assay performed on the evidence in \
         its locker. The service auditor decides which of them to rely on, re-perform or \
         extend, and is responsible for the tests reported in the final report."
            .to_string(),
    );
    paragraphs(p)
}

/// The introduction to Section V: other information provided by the service organization
/// that the service auditor's report does not cover.
pub fn section5_intro(f: &Facts<'_>) -> String {
    let org = f.organization;
    paragraphs(vec![
        format!(
            "This section contains information provided by the management of {org} that is \
             not part of the description of the system in Section III. It was not covered by \
             the service auditor's examination, and the service auditor expresses no opinion \
             on it."
        ),
        "Management's responses to exceptions are presented here and next to the related \
         exceptions in Section IV. They give management's explanation and the corrective \
         action planned or taken. They were not examined, and the service auditor expresses \
         no opinion on whether they are accurate or whether the actions they describe will be \
         effective."
            .to_string(),
    ])
}

/// The categories in scope as a phrase, with the names the AICPA uses: "Security",
/// "Security and Availability", "Security, Availability and Confidentiality".
///
/// Input words are "security", "availability", "processing-integrity", "confidentiality"
/// and "privacy" (case, spaces and underscores are tolerated); an unknown word is kept as
/// given and a repeated one is listed once. An empty list gives "Security", the category
/// that is always in scope.
pub fn categories_phrase(categories: &[&str]) -> String {
    let mut names: Vec<String> = Vec::new();
    for word in categories {
        let name = category_name(word);
        if !name.is_empty() && !names.contains(&name) {
            names.push(name);
        }
    }
    if names.is_empty() {
        return "Security".to_string();
    }
    join_words(&names)
}

fn category_name(word: &str) -> String {
    let key = word.trim().to_ascii_lowercase().replace(['_', ' '], "-");
    match key.as_str() {
        "security" => "Security".to_string(),
        "availability" => "Availability".to_string(),
        "processing-integrity" => "Processing Integrity".to_string(),
        "confidentiality" => "Confidentiality".to_string(),
        "privacy" => "Privacy".to_string(),
        _ => word.trim().to_string(),
    }
}

/// The opinion paragraph and its clauses, for each kind.
fn opinion_paragraphs(f: &Facts<'_>, kind: OpinionKind, m: &Matters<'_>) -> Vec<String> {
    let org = f.organization;
    let sys = f.system;
    let when = period(f);
    let head = match kind {
        OpinionKind::InProgress => return Vec::new(),
        OpinionKind::Unmodified => "Opinion. In our opinion, in all material respects:".to_string(),
        OpinionKind::Qualified => format!(
            "Qualified Opinion. In our opinion, except for the effects of the matters described \
             in the {} paragraph{}, in all material respects:",
            basis_title(kind),
            if m.except_for.is_empty() {
                String::new()
            } else {
                format!(
                    " (criteri{} {})",
                    if m.except_for.len() == 1 { "on" } else { "a" },
                    join_words(m.except_for)
                )
            }
        ),
        OpinionKind::Adverse => format!(
            "Adverse Opinion. In our opinion, because of the significance of the matters \
             described in the {} paragraph:",
            basis_title(kind)
        ),
        OpinionKind::Disclaimer => {
            return vec![format!(
                "Disclaimer of Opinion. Because of the significance of the matters described in \
                 the {} paragraph, we were not able to obtain sufficient appropriate evidence \
                 to provide a basis for an opinion. Accordingly, we do not express an opinion \
                 on whether the description is presented in accordance with the description \
                 criteria, or on the {} of the controls stated in it.",
                basis_title(kind),
                examined(f),
            )];
        }
    };
    let mut clauses = Vec::new();
    if kind == OpinionKind::Adverse {
        clauses.push(format!(
            "the description does not present fairly {org}'s {sys} system that was designed \
             and implemented {when} in accordance with the description criteria"
        ));
        clauses.push(format!(
            "the controls stated in the description were not suitably designed {when} to \
             provide reasonable assurance that {org}'s service commitments and system \
             requirements would be achieved based on the applicable trust services criteria"
        ));
        if is_type2(f) {
            clauses.push(format!(
                "the controls stated in the description did not operate effectively {when} to \
                 provide reasonable assurance that {org}'s service commitments and system \
                 requirements were achieved based on the applicable trust services criteria"
            ));
        }
    } else {
        let owner = format!("{org}'s");
        clauses.push(format!(
            "the description presents {org}'s {sys} system that was designed and implemented \
             {when} in accordance with the description criteria"
        ));
        clauses.push(format!(
            "the controls stated in the description were suitably designed {when} to provide \
             reasonable assurance that {org}'s service commitments and system requirements \
             would be achieved based on the applicable trust services criteria, if its \
             controls operated effectively {then}{compl}",
            then = that_time(f),
            compl = complementary_if(f, &owner, " and if the", ""),
        ));
        if is_type2(f) {
            clauses.push(format!(
                "the controls stated in the description operated effectively {when} to provide \
                 reasonable assurance that {org}'s service commitments and system requirements \
                 were achieved based on the applicable trust services criteria{compl}",
                compl = complementary_if(f, &owner, ", if the", " also"),
            ));
        }
    }
    let mut p = vec![head];
    p.extend(clause_list(clauses));
    p
}

/// The paragraph on the service auditor's responsibility; a disclaimer cannot claim
/// sufficient evidence.
fn auditor_responsibility(f: &Facts<'_>, kind: OpinionKind) -> String {
    let org = f.organization;
    let examined = examined(f);
    if kind == OpinionKind::Disclaimer {
        return format!(
            "Our responsibility is to examine the description and the {examined} of the \
             controls stated in it in accordance with attestation standards established by \
             the American Institute of Certified Public Accountants (AICPA), and to issue a \
             report. Because of the matters described in the {} paragraph, however, we were \
             not able to obtain sufficient appropriate evidence to provide a basis for an \
             opinion.",
            basis_title(kind),
        );
    }
    let opinion = match kind {
        OpinionKind::Qualified => "qualified opinion",
        OpinionKind::Adverse => "adverse opinion",
        OpinionKind::InProgress | OpinionKind::Unmodified | OpinionKind::Disclaimer => "opinion",
    };
    format!(
        "Our responsibility is to express an opinion, based on our examination, on the \
         description and on the {examined} of the controls stated in it. We conducted our \
         examination in accordance with attestation standards established by the American \
         Institute of Certified Public Accountants (AICPA). Those standards require that we \
         plan and perform the examination to obtain reasonable assurance about whether, in all \
         material respects, the description is presented in accordance with the description \
         criteria and the controls stated in it {designed} {when} to provide reasonable \
         assurance that {org}'s service commitments and system requirements {achieved} based \
         on the applicable trust services criteria. We believe that the evidence we obtained \
         is sufficient and appropriate to provide a reasonable basis for our {opinion}.",
        designed = if is_type2(f) {
            "were suitably designed and operated effectively"
        } else {
            "were suitably designed"
        },
        when = period(f),
        achieved = achieved(f),
    )
}

fn carve_out_paragraph(f: &Facts<'_>) -> Option<String> {
    if f.subservice.is_empty() {
        return None;
    }
    let org = f.organization;
    Some(format!(
        "{org} uses {names} as {which}. The description includes only the controls of {org} \
         and excludes the controls of {those}. The description also indicates that some of \
         the applicable trust services criteria can be met only if complementary subservice \
         organization controls, assumed in the design of {org}'s controls, are {suitable} \
         together with the related controls at {org}. Our examination did not extend to the \
         controls of {those}, and we have not evaluated the {examined} of those complementary \
         controls.",
        names = subservice_names(f),
        which = subservice_word(f),
        those = those_organizations(f),
        suitable = suitable(f),
        examined = examined(f),
    ))
}

fn cuec_paragraph(f: &Facts<'_>) -> Option<String> {
    if !f.has_cuecs {
        return None;
    }
    let org = f.organization;
    Some(format!(
        "The description indicates that some of the applicable trust services criteria can \
         be met only if complementary user entity controls, assumed in the design of {org}'s \
         controls, are {suitable} together with the related controls at {org}. Our \
         examination did not extend to those complementary user entity controls, and we have \
         not evaluated the {examined} of those controls.",
        suitable = suitable(f),
        examined = examined(f),
    ))
}

fn restricted_use(f: &Facts<'_>) -> String {
    let org = f.organization;
    let complementary = if f.subservice.is_empty() && !f.has_cuecs {
        ""
    } else {
        " the complementary controls assumed in the design of the service organization's \
         controls;"
    };
    format!(
        "This report, including the description of tests of controls and their results in \
         Section IV, is intended only for {org}; user entities of the {sys} system {when}; \
         business partners of {org} whose interactions with the system expose them to risk; \
         practitioners who serve those user entities and business partners; prospective user \
         entities and business partners; and regulators. Each of them should understand the \
         nature of the service; how the system interacts with user entities, business \
         partners, subservice organizations and others;{complementary} the trust services \
         criteria; the risks that may threaten the achievement of the service commitments \
         and system requirements; and how controls address those risks. It is not intended \
         to be used by anyone else.",
        sys = f.system,
        when = period(f),
    )
}

/// The basis items; a bracketed note for the CPA firm when none were recorded.
fn reason_list(reasons: &[String]) -> Vec<String> {
    let items: Vec<String> = reasons
        .iter()
        .map(|r| r.trim().trim_start_matches("- ").trim().to_string())
        .filter(|r| !r.is_empty())
        .map(|r| format!("- {r}"))
        .collect();
    if items.is_empty() {
        return vec![
            "- [No reasons were recorded in the assessment; the CPA firm must state the basis \
             for this opinion.]"
                .to_string(),
        ];
    }
    items
}

/// Clauses of one sentence as "- " items: each ends with ";" and the last with ".".
fn clause_list(clauses: Vec<String>) -> Vec<String> {
    let last = clauses.len().saturating_sub(1);
    clauses
        .into_iter()
        .enumerate()
        .map(|(i, c)| format!("- {c}{}", if i == last { "." } else { ";" }))
        .collect()
}

/// The condition on complementary controls, or "" when there are none. `lead` opens the
/// clause (" and if the", ", if the"); `also` goes before "operated".
fn complementary_if(f: &Facts<'_>, owner: &str, lead: &str, also: &str) -> String {
    let kinds = match (!f.subservice.is_empty(), f.has_cuecs) {
        (true, true) => {
            "complementary subservice organization controls and complementary user entity \
             controls"
        }
        (true, false) => "complementary subservice organization controls",
        (false, true) => "complementary user entity controls",
        (false, false) => return String::new(),
    };
    format!(
        "{lead} {kinds} assumed in the design of {owner} controls{also} operated \
         effectively {then}",
        then = that_time(f),
    )
}

fn is_type2(f: &Facts<'_>) -> bool {
    f.report_type == ReportType::Type2
}

/// "as of {end}" or "throughout the period {start} to {end}".
fn period(f: &Facts<'_>) -> String {
    match f.report_type {
        ReportType::Type1 => format!("as of {}", f.period_end),
        ReportType::Type2 => {
            format!(
                "throughout the period {} to {}",
                f.period_start, f.period_end
            )
        }
    }
}

fn that_time(f: &Facts<'_>) -> &'static str {
    match f.report_type {
        ReportType::Type1 => "as of that date",
        ReportType::Type2 => "throughout that period",
    }
}

fn examined(f: &Facts<'_>) -> &'static str {
    match f.report_type {
        ReportType::Type1 => "suitability of the design",
        ReportType::Type2 => "suitability of the design and the operating effectiveness",
    }
}

fn achieved(f: &Facts<'_>) -> &'static str {
    match f.report_type {
        ReportType::Type1 => "would be achieved",
        ReportType::Type2 => "were achieved",
    }
}

fn suitable(f: &Facts<'_>) -> &'static str {
    match f.report_type {
        ReportType::Type1 => "suitably designed",
        ReportType::Type2 => "suitably designed and operating effectively",
    }
}

fn subservice_names(f: &Facts<'_>) -> String {
    let names: Vec<String> = f.subservice.iter().map(|s| s.trim().to_string()).collect();
    join_words(&names)
}

fn subservice_word(f: &Facts<'_>) -> &'static str {
    if f.subservice.len() == 1 {
        "a subservice organization"
    } else {
        "subservice organizations"
    }
}

fn those_organizations(f: &Facts<'_>) -> &'static str {
    if f.subservice.len() == 1 {
        "that subservice organization"
    } else {
        "those subservice organizations"
    }
}

/// "a", "a and b", "a, b and c".
fn join_words(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {}", init.join(", "), last),
    }
}

/// Joins paragraphs with one blank line, dropping empty ones, each proofread.
fn paragraphs(parts: Vec<String>) -> String {
    let kept: Vec<String> = parts
        .into_iter()
        .map(|p| proofread(p.trim()))
        .filter(|p| !p.is_empty())
        .collect();
    kept.join("\n\n")
}

/// Mends what joining names into sentences leaves: a name that ends in a period ("Acme,
/// Inc.") before the sentence's own period gives one period, not two. An ellipsis ("...")
/// is left alone.
pub fn proofread(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    for (i, c) in chars.iter().enumerate() {
        let doubled = *c == '.'
            && i > 0
            && chars[i - 1] == '.'
            && chars.get(i + 1) != Some(&'.')
            && (i < 2 || chars[i - 2] != '.');
        if !doubled {
            out.push(*c);
        }
    }
    out
}

/// What a proofreader marks in rendered text: doubled punctuation, a wrong possessive
/// quote, unreplaced placeholders and doubled spaces; each as a short description.
pub fn slips(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (what, needle) in [
        ("doubled period", ".."),
        ("doubled comma", ",,"),
        ("space before punctuation", " ."),
        ("space before punctuation", " ,"),
        ("opening quote as apostrophe", "\u{2018}s"),
        ("unreplaced placeholder", "{"),
        ("unreplaced placeholder", "}"),
        ("doubled space", "  "),
        ("wrong possessive", "their suitability"),
    ] {
        for (at, _) in text.match_indices(needle) {
            if needle == ".." && text[at..].starts_with("...") {
                continue;
            }
            let from = text[..at]
                .char_indices()
                .rev()
                .nth(30)
                .map_or(0, |(i, _)| i);
            let to = text[at..]
                .char_indices()
                .nth(30)
                .map_or(text.len(), |(i, _)| at + i);
            out.push(format!("{what}: \"{}\"", &text[from..to]));
        }
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const KINDS: [OpinionKind; 4] = [
        OpinionKind::Unmodified,
        OpinionKind::Qualified,
        OpinionKind::Adverse,
        OpinionKind::Disclaimer,
    ];

    fn facts<'a>(rt: ReportType, subservice: &'a [&'a str], has_cuecs: bool) -> Facts<'a> {
        Facts {
            organization: "Acme, Inc.",
            system: "Acme Cloud",
            report_type: rt,
            period_start: if rt == ReportType::Type1 {
                "2024-06-30"
            } else {
                "2024-01-01"
            },
            period_end: "2024-06-30",
            categories: &["security", "availability"],
            subservice,
            has_cuecs,
        }
    }

    fn reasons() -> Vec<String> {
        vec!["Control CHG-01 had 3 exceptions in a sample of 25.".to_string()]
    }

    fn with(r: &[String]) -> Matters<'_> {
        Matters {
            deviations: r,
            ..Matters::default()
        }
    }

    fn none() -> Matters<'static> {
        Matters::default()
    }

    fn unmodified_assertion(f: &Facts<'_>) -> String {
        section2_assertion(f, OpinionKind::Unmodified, &none())
    }

    #[test]
    fn type1_says_as_of_and_never_throughout_the_period() {
        let f = facts(ReportType::Type1, &["AWS"], true);
        for kind in KINDS {
            let s1 = section1_opinion(&f, kind, &with(&reasons()));
            assert!(s1.contains("as of 2024-06-30"), "{kind:?}");
            assert!(!s1.contains("throughout the period"), "{kind:?}");
            assert!(!s1.contains("operated effectively throughout"), "{kind:?}");
        }
        let s2 = unmodified_assertion(&f);
        assert!(s2.contains("as of 2024-06-30"));
        assert!(!s2.contains("throughout the period"));
        assert!(section1_opinion(&f, OpinionKind::Unmodified, &none())
            .contains("did not perform procedures to evaluate the operating effectiveness"));
    }

    #[test]
    fn type2_says_throughout_the_period() {
        let f = facts(ReportType::Type2, &[], false);
        let s1 = section1_opinion(&f, OpinionKind::Unmodified, &none());
        assert!(s1.contains("throughout the period 2024-01-01 to 2024-06-30"));
        assert!(s1.contains("testing the operating effectiveness"));
        assert!(!s1.contains("did not perform procedures to evaluate"));
        assert!(unmodified_assertion(&f).contains("operated effectively throughout the period"));
    }

    #[test]
    fn each_opinion_kind_has_its_own_phrase() {
        let phrases = [
            (OpinionKind::Unmodified, "In our opinion, in all material respects"),
            (
                OpinionKind::Qualified,
                "except for the effects of the matters described in the Basis for Qualified Opinion paragraph",
            ),
            (OpinionKind::Adverse, "does not present fairly"),
            (OpinionKind::Disclaimer, "we do not express an opinion"),
        ];
        for rt in [ReportType::Type1, ReportType::Type2] {
            let f = facts(rt, &[], false);
            for kind in KINDS {
                let text = section1_opinion(&f, kind, &with(&reasons()));
                for (other, phrase) in phrases {
                    assert_eq!(text.contains(phrase), kind == other, "{kind:?} / {other:?}");
                }
                assert_eq!(text.contains("Basis for"), kind != OpinionKind::Unmodified);
            }
        }
    }

    #[test]
    fn reasons_are_listed_and_a_missing_basis_is_flagged() {
        let f = facts(ReportType::Type2, &[], false);
        let text = section1_opinion(&f, OpinionKind::Qualified, &with(&reasons()));
        assert!(text.contains("\n\n- Control CHG-01 had 3 exceptions in a sample of 25.\n\n"));
        let empty = section1_opinion(&f, OpinionKind::Adverse, &none());
        assert!(empty.contains("- [No reasons were recorded"));
        let unmodified = section1_opinion(&f, OpinionKind::Unmodified, &with(&reasons()));
        assert!(!unmodified.contains("CHG-01"));
    }

    #[test]
    fn carve_out_appears_only_with_subservice_organizations() {
        for rt in [ReportType::Type1, ReportType::Type2] {
            let with = facts(rt, &["Amazon Web Services", "Okta"], false);
            let s1 = section1_opinion(&with, OpinionKind::Unmodified, &none());
            assert!(s1.contains("uses Amazon Web Services and Okta as subservice organizations"));
            assert!(s1.contains("excludes the controls of"));
            assert!(unmodified_assertion(&with).contains("excludes the controls of"));
            let without = facts(rt, &[], false);
            assert!(
                !section1_opinion(&without, OpinionKind::Unmodified, &none())
                    .contains("excludes the controls of")
            );
            assert!(!unmodified_assertion(&without).contains("subservice"));
        }
    }

    #[test]
    fn cuec_paragraph_appears_only_when_cuecs_exist() {
        let with = facts(ReportType::Type2, &[], true);
        let without = facts(ReportType::Type2, &[], false);
        let phrase = "complementary user entity controls";
        assert!(section1_opinion(&with, OpinionKind::Unmodified, &none()).contains(phrase));
        assert!(unmodified_assertion(&with).contains(phrase));
        assert!(!section1_opinion(&without, OpinionKind::Unmodified, &none()).contains(phrase));
        assert!(!unmodified_assertion(&without).contains(phrase));
    }

    #[test]
    fn categories_phrase_uses_aicpa_names() {
        assert_eq!(categories_phrase(&["security"]), "Security");
        assert_eq!(
            categories_phrase(&["security", "availability"]),
            "Security and Availability"
        );
        assert_eq!(
            categories_phrase(&["security", "availability", "confidentiality"]),
            "Security, Availability and Confidentiality"
        );
        assert_eq!(
            categories_phrase(&["security", "processing-integrity", "privacy"]),
            "Security, Processing Integrity and Privacy"
        );
        assert_eq!(categories_phrase(&["security", "security"]), "Security");
        assert_eq!(categories_phrase(&[]), "Security");
    }

    #[test]
    fn every_modified_opinion_has_a_basis_title() {
        for kind in [
            OpinionKind::Qualified,
            OpinionKind::Adverse,
            OpinionKind::Disclaimer,
        ] {
            assert!(basis_title(kind).starts_with("Basis for "), "{kind:?}");
        }
        assert_eq!(basis_title(OpinionKind::Unmodified), "");
    }

    #[test]
    fn text_is_plain_paragraphs_with_signature_lines() {
        let f = facts(ReportType::Type2, &["AWS"], true);
        let s1 = section1_opinion(&f, OpinionKind::Qualified, &with(&reasons()));
        let s2 = unmodified_assertion(&f);
        assert!(s1.ends_with(AUDITOR_SIGNATURE));
        assert!(s2.ends_with(MANAGEMENT_SIGNATURE));
        let all = [
            draft_notice(),
            s1,
            s2,
            section3_intro(&f),
            section4_intro(&f),
            section5_intro(&f),
        ];
        for text in all {
            assert!(!text.contains("\n\n\n"));
            assert_eq!(text.trim(), text);
            assert!(!text.contains('#') && !text.contains('*') && !text.contains('<'));
        }
        assert!(draft_notice().contains("DRAFT"));
    }

    #[test]
    fn section4_says_when_operating_effectiveness_was_not_tested() {
        let phrase = "tests of operating effectiveness were not performed";
        assert!(section4_intro(&facts(ReportType::Type1, &[], false)).contains(phrase));
        assert!(!section4_intro(&facts(ReportType::Type2, &[], false)).contains(phrase));
    }

    /// An examination in progress renders no opinion and nothing to sign: where it stands,
    /// the deviations so far and the work left.
    #[test]
    fn an_examination_in_progress_has_no_opinion() {
        let f = facts(ReportType::Type2, &[], false);
        let remaining =
            vec!["CC1.4: HR-02.1: record the sample's results (T-SAMPLE-PENDING)".to_string()];
        let m = Matters {
            deviations: &reasons(),
            remaining: &remaining,
            ..Matters::default()
        };
        let s1 = section1_opinion(&f, OpinionKind::InProgress, &m);
        assert!(s1.contains("Examination in progress") && s1.contains("No opinion is expressed"));
        assert!(s1.contains("- CC1.4: HR-02.1") && s1.contains("- Control CHG-01"));
        for phrase in [
            "In our opinion",
            "Basis for",
            "An examination of this kind",
            AUDITOR_SIGNATURE,
        ] {
            assert!(!s1.contains(phrase), "{phrase}");
        }
        let s2 = section2_assertion(&f, OpinionKind::InProgress, &m);
        assert!(s2.contains("Not for signature") && !s2.contains(MANAGEMENT_SIGNATURE));
    }

    /// A disclaimer describes no examination procedures, and keeps deviations and scope
    /// limitations under their own leads.
    #[test]
    fn a_disclaimer_keeps_no_examination_language() {
        let f = facts(ReportType::Type2, &[], false);
        let limits =
            vec!["CC7.2 cannot be concluded: key control MON-01 could not be tested.".to_string()];
        let m = Matters {
            deviations: &reasons(),
            limitations: &limits,
            ..Matters::default()
        };
        let s1 = section1_opinion(&f, OpinionKind::Disclaimer, &m);
        assert!(!s1.contains("An examination of this kind involves"));
        assert!(!s1.contains("Section IV lists the controls we tested"));
        let deviations = s1.find("The following criteria were not met").unwrap();
        let limitations = s1
            .find("unable to obtain sufficient appropriate evidence about the following criteria")
            .unwrap();
        assert!(
            s1[deviations..limitations].contains("CHG-01") && s1[limitations..].contains("MON-01")
        );
    }

    /// Management's assertion follows the opinion: "except for" with the matters for a
    /// qualified opinion, "did not operate effectively" for an adverse one.
    #[test]
    fn the_assertion_is_modified_to_match_the_opinion() {
        let f = facts(ReportType::Type2, &[], false);
        let r = reasons();
        let unmodified = unmodified_assertion(&f);
        assert!(!unmodified.contains("except for") && !unmodified.contains("CHG-01"));
        let q = section2_assertion(&f, OpinionKind::Qualified, &with(&r));
        assert!(q.contains("except for the matters described in the following paragraph, the controls stated in the description operated effectively"));
        assert!(q.contains("- Control CHG-01"));
        let a = section2_assertion(&f, OpinionKind::Adverse, &with(&r));
        assert!(a.contains("did not operate effectively") && a.contains("- Control CHG-01"));
        let t1 = facts(ReportType::Type1, &[], false);
        let q1 = section2_assertion(&t1, OpinionKind::Qualified, &with(&r));
        assert!(q1.contains("except for the matters described in the following paragraph, the controls stated in the description were suitably designed"));
    }

    /// A qualified opinion names the criteria it is given "except for".
    #[test]
    fn a_qualified_opinion_names_its_criteria() {
        let f = facts(ReportType::Type2, &[], false);
        let r = reasons();
        let ids = vec!["CC6.1".to_string(), "CC8.1".to_string()];
        let m = Matters {
            deviations: &r,
            except_for: &ids,
            ..Matters::default()
        };
        let s1 = section1_opinion(&f, OpinionKind::Qualified, &m);
        assert!(s1.contains("paragraph (criteria CC6.1 and CC8.1), in all material respects"));
    }

    /// Every opinion kind's text, for a name ending in a period and with every kind of
    /// matter, reads without a proofreader's marks.
    #[test]
    fn rendered_text_passes_a_proofread() {
        let r = reasons();
        let ids = vec!["CC6.1".to_string()];
        let m = Matters {
            deviations: &r,
            limitations: &r,
            except_for: &ids,
            remaining: &r,
        };
        for rt in [ReportType::Type1, ReportType::Type2] {
            let mut f = facts(rt, &["Amazon Web Services, Inc."], true);
            f.organization = "Northwind Analytics, Inc.";
            for kind in KINDS.into_iter().chain([OpinionKind::InProgress]) {
                for text in [
                    section1_opinion(&f, kind, &m),
                    section2_assertion(&f, kind, &m),
                    section3_intro(&f),
                    section4_intro(&f),
                    section5_intro(&f),
                ] {
                    assert_eq!(slips(&text), Vec::<String>::new(), "{kind:?} {rt:?}");
                }
            }
        }
        assert_eq!(
            proofread("by Acme, Inc.. Next... end"),
            "by Acme, Inc. Next... end"
        );
        assert_eq!(slips("Inc.\u{2018}s {x}").len(), 3);
    }
}
