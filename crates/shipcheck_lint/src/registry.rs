//! The `rules!` macro that turns the table in `codes.rs` into [`Rule`](crate::Rule) and
//! its metadata, and dispatches nodes to rules by their declared node kind.

/// Expands the rule table. Each row: `(TypeName, "family/id", NodeKind, module::path)`.
/// The module holds `pub(crate) struct TypeName` (defined with `violation!`) and
/// `pub(crate) fn check(ctx: &mut LintContext, node: &<node type>)`.
macro_rules! rules {
    ($( ($name:ident, $code:literal, $kind:ident, $($path:ident)::+) ),* $(,)?) => {
        /// Every rule shipcheck knows, one variant per rule file.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Rule {
            $(
                #[doc = concat!("`", $code, "`")]
                $name,
            )*
        }

        impl Rule {
            /// All rules, in table order.
            pub const ALL: &'static [Rule] = &[$(Rule::$name),*];

            /// The rule ID, e.g. `k8s/privileged-container`.
            pub fn code(self) -> &'static str {
                match self { $(Rule::$name => $code,)* }
            }

            /// The violation type's name, e.g. `PrivilegedContainer`.
            pub fn name(self) -> &'static str {
                match self { $(Rule::$name => stringify!($name),)* }
            }

            /// The rule's documentation (its doc comment).
            pub fn explain(self) -> &'static str {
                match self {
                    $(Rule::$name => <crate::rules::$($path)::+::$name as crate::rule::ViolationDoc>::DOC,)*
                }
            }

            /// The family.
            pub fn family(self) -> crate::rule::Family {
                match self {
                    $(Rule::$name => <crate::rules::$($path)::+::$name as crate::rule::Violation>::FAMILY,)*
                }
            }

            /// Severity unless configured otherwise.
            pub fn default_severity(self) -> shipcheck_report::Severity {
                match self {
                    $(Rule::$name => <crate::rules::$($path)::+::$name as crate::rule::Violation>::DEFAULT_SEVERITY,)*
                }
            }

            /// Whether the rule runs without being enabled in the config.
            pub fn default_enabled(self) -> bool {
                match self {
                    $(Rule::$name => <crate::rules::$($path)::+::$name as crate::rule::Violation>::DEFAULT_ENABLED,)*
                }
            }

            /// Lifecycle status.
            pub fn status(self) -> crate::rule::RuleStatus {
                match self {
                    $(Rule::$name => <crate::rules::$($path)::+::$name as crate::rule::Violation>::STATUS,)*
                }
            }

            /// Whether a fix is offered.
            pub fn fix(self) -> crate::rule::FixAvailability {
                match self {
                    $(Rule::$name => <crate::rules::$($path)::+::$name as crate::rule::Violation>::FIX,)*
                }
            }

            /// The node kind the rule's `check` takes.
            pub(crate) fn node_kind(self) -> crate::nodes::NodeKind {
                match self { $(Rule::$name => crate::nodes::NodeKind::$kind,)* }
            }

            /// Looks a rule up by ID.
            pub fn from_code(code: &str) -> Option<Rule> {
                match code { $($code => Some(Rule::$name),)* _ => None }
            }
        }

        $(
            impl crate::rule::RuleOf for crate::rules::$($path)::+::$name {
                const RULE: Rule = Rule::$name;
            }
        )*

        /// Runs `rule` on `node` if the node is of the rule's kind.
        pub(crate) fn dispatch(rule: Rule, ctx: &mut crate::context::LintContext<'_>, node: &crate::nodes::Node<'_>) {
            match (rule, node) {
                $((Rule::$name, crate::nodes::Node::$kind(n)) => crate::rules::$($path)::+::check(ctx, n),)*
                _ => {}
            }
        }
    };
}
pub(crate) use rules;
