//! `cross/*`: rules that relate several files of one invocation (DESIGN §11).

pub(crate) mod compose_variable_undefined;
pub(crate) mod expose_port_mismatch;
pub(crate) mod image_registry_not_allowed;
pub(crate) mod links;
pub(crate) mod root_image_run_as_non_root;

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use crate::Rule;
    use crate::engine::{LintOptions, lint_inputs_only, read_inputs};
    use crate::test_support::{expected_lines, human};

    /// A finding position: (path, line).
    type Line = (String, u32);

    /// Lints the fixture directory `<name>_bad.d` (and `_good.d`) with only `rule`; the
    /// findings must be exactly on the `# expect` lines of its files.
    fn run_dir(rule: Rule, dir: &str) -> (Vec<Line>, Vec<Line>, String) {
        let inputs = read_inputs(&[PathBuf::from(dir)]).unwrap();
        let mut expected: Vec<Line> = inputs
            .iter()
            .flat_map(|i| {
                expected_lines(&i.text)
                    .into_iter()
                    .map(|l| (i.path.clone(), l))
            })
            .collect();
        expected.sort();
        let outcome = lint_inputs_only(inputs, &LintOptions::default(), Some(rule)).unwrap();
        let mut got: Vec<Line> = outcome
            .findings
            .iter()
            .filter(|f| f.rule == rule.code())
            .map(|f| (f.path.clone(), f.line))
            .collect();
        got.sort();
        got.dedup();
        (got, expected, human(outcome))
    }

    macro_rules! cross_fixture_tests {
        ($($name:ident => $rule:expr),* $(,)?) => {
            $(
                #[test]
                fn $name() {
                    let base = concat!("resources/test/fixtures/cross/", stringify!($name));
                    let (got, expected, human) = run_dir($rule, &format!("{base}_bad.d"));
                    assert!(!expected.is_empty(), "{base}_bad.d: no `# expect` markers");
                    assert_eq!(got, expected, "{human}");
                    insta::assert_snapshot!(concat!(stringify!($name), "_bad"), human);
                    let (got, _, human) = run_dir($rule, &format!("{base}_good.d"));
                    assert!(got.is_empty(), "{base}_good.d: expected no findings\n{human}");
                }
            )*
        };
    }

    cross_fixture_tests! {
        compose_variable_undefined => Rule::ComposeVariableUndefined,
        expose_port_mismatch => Rule::ExposePortMismatch,
        image_registry_not_allowed => Rule::ImageRegistryNotAllowed,
        root_image_run_as_non_root => Rule::RootImageRunAsNonRoot,
    }
}
