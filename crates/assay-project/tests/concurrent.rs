//! The pipeline driven from inside a multi-threaded Tokio runtime, the way a server drives
//! it: imports, assessments and reports at the same time from `spawn_blocking` tasks. No
//! operation panics, nothing is lost, and the assessment afterwards is the same whether it
//! is computed inside the runtime or from a plain thread.

use assay_project::{ImportRequest, Project, Silent};
use assay_report::Kind;
use std::sync::Arc;

type Task = Result<String, assay_project::ProjectError>;

#[test]
fn import_assess_and_report_run_concurrently_inside_a_tokio_runtime() {
    let catalog = assay_catalog::Catalog::embedded().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("northwind");
    assay_workspace::init(&root, catalog, &assay_demo::options(&[])).unwrap();
    let scale = assay_demo::synth::Scale::named("small").unwrap();
    let generated = assay_demo::synth::generate(&root.join("exports"), scale, 11, &|_| {}).unwrap();
    let requests: Vec<ImportRequest> = generated
        .imports
        .iter()
        .map(assay_demo::import_request)
        .collect();
    let files = requests.len();
    let project = Arc::new(Project::open(&root, catalog).unwrap());

    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(4)
        .enable_all()
        .build()
        .unwrap();
    let done: Vec<String> = rt.block_on(async {
        let mut tasks = tokio::task::JoinSet::new();
        for req in requests {
            let p = Arc::clone(&project);
            tasks.spawn_blocking(move || -> Task {
                p.import(&req, &Silent).map(|o| o.summary.batch)
            });
        }
        // Assessments and reports while the imports are being stored.
        for kind in [Kind::Readiness, Kind::Soc2, Kind::Oscal] {
            let p = Arc::clone(&project);
            tasks.spawn_blocking(move || -> Task {
                let a = p.assess(None, &Silent)?;
                let files = p.render_report(&a, kind, kind.formats()[0])?;
                Ok(format!("{} {}", kind.name(), files.len()))
            });
        }
        let mut done = Vec::new();
        while let Some(joined) = tasks.join_next().await {
            let result = joined.expect("no task panics");
            done.push(result.expect("every operation succeeds"));
        }
        done
    });
    assert_eq!(done.len(), files + 3);

    // Every import was recorded, and the ledger verifies after the concurrent appends.
    let locker = project.locker().unwrap();
    let report = locker.verify().unwrap();
    assert!(report.ok(), "{:#?}", report.problems);
    let imported = locker
        .entries()
        .unwrap()
        .iter()
        .filter(|e| e.record.provenance.agent == "evidence-import")
        .count();
    assert!(imported >= files, "{imported} entries for {files} imports");

    // The same assessment from a runtime task and from a plain thread with the runtime
    // entered; and it finds what the generator planted.
    let p = Arc::clone(&project);
    let inside = rt
        .block_on(rt.spawn_blocking(move || p.assess(None, &Silent)))
        .unwrap()
        .unwrap();
    let _entered = rt.enter();
    let outside = project.assess(None, &Silent).unwrap();
    assert_eq!(
        serde_json::to_string(&inside).unwrap(),
        serde_json::to_string(&outside).unwrap()
    );
    let missed: Vec<_> = generated
        .planted
        .iter()
        .filter(|p| !assay_demo::found(&outside, p))
        .map(|p| format!("{} {}", p.test, p.key))
        .collect();
    assert!(missed.is_empty(), "missed {missed:?}");
}
