//! The JSON Schema of `report.json` (`shipcheck schema report`), derived from the report
//! model's own types (so it cannot drift from what `verify`, `demo` and `lint` write).

use crate::model::Report;

/// The `$id` of the report schema.
pub const REPORT_SCHEMA_ID: &str = "https://shipcheck.invalid/schema/report.json";

/// The report schema (JSON Schema draft 2020-12).
pub fn report_schema() -> serde_json::Value {
    let mut schema = schemars::schema_for!(Report).to_value();
    if let Some(obj) = schema.as_object_mut() {
        obj.insert("$id".into(), REPORT_SCHEMA_ID.into());
        obj.insert("title".into(), "shipcheck report.json".into());
    }
    schema
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{CheckResult, RunInfo, Status};

    #[test]
    fn names_every_top_level_field() {
        let schema = report_schema();
        let props = schema["properties"].as_object().unwrap();
        let mut check = CheckResult::new("a", "http");
        check.status = Status::Passed;
        let report = Report::new(RunInfo::default(), vec![check], Vec::new());
        let json = serde_json::to_value(&report).unwrap();
        for key in json.as_object().unwrap().keys() {
            assert!(props.contains_key(key), "`{key}` is not in the schema");
        }
        assert_eq!(
            schema["$schema"],
            "https://json-schema.org/draft/2020-12/schema"
        );
    }
}
