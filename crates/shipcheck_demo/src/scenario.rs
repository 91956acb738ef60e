//! Failure scenarios the demo service can reproduce (DESIGN.md §11 "Demo").

use std::fmt;
use std::str::FromStr;

/// Which incident from FIELD.md the demo service reproduces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Scenario {
    /// Everything works.
    #[default]
    Healthy,
    /// `users` lacks `is_active` and `vehicles` lacks `updated_at`: login answers 500.
    SchemaDrift,
    /// Login answers 500 "password hashing backend error".
    Login500,
    /// The schema is right but no rows were seeded: login 401, vehicles `[]`.
    NoSeedData,
    /// `/api/*` and `/health/live` answer 300 ms late.
    Slow,
    /// Every second request (counted across all endpoints) answers 503.
    Flaky,
    /// A release that lost its stylesheet: `/static/app.css` answers 404 (only a browser
    /// loading the page notices).
    BrokenAsset,
}

impl Scenario {
    /// Every scenario, in the order they are documented.
    pub const ALL: [Scenario; 7] = [
        Scenario::Healthy,
        Scenario::SchemaDrift,
        Scenario::Login500,
        Scenario::NoSeedData,
        Scenario::Slow,
        Scenario::Flaky,
        Scenario::BrokenAsset,
    ];

    /// The name used on the command line (`schema-drift`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            Scenario::Healthy => "healthy",
            Scenario::SchemaDrift => "schema-drift",
            Scenario::Login500 => "login-500",
            Scenario::NoSeedData => "no-seed-data",
            Scenario::Slow => "slow",
            Scenario::Flaky => "flaky",
            Scenario::BrokenAsset => "broken-asset",
        }
    }
}

impl fmt::Display for Scenario {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A scenario name that is not one of [`Scenario::ALL`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown scenario `{name}` (expected one of: healthy, schema-drift, login-500, no-seed-data, slow, flaky, broken-asset)"
)]
pub struct ParseScenarioError {
    /// The name that was given.
    pub name: String,
}

impl FromStr for Scenario {
    type Err = ParseScenarioError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Scenario::ALL
            .into_iter()
            .find(|scenario| scenario.as_str() == s)
            .ok_or_else(|| ParseScenarioError { name: s.to_owned() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for scenario in Scenario::ALL {
            assert_eq!(scenario.to_string().parse::<Scenario>(), Ok(scenario));
        }
        assert_eq!("login-500".parse::<Scenario>(), Ok(Scenario::Login500));
    }

    #[test]
    fn unknown_name_is_rejected_with_the_choices() {
        let err = "schema_drift".parse::<Scenario>().unwrap_err();
        assert_eq!(err.name, "schema_drift");
        assert!(err.to_string().contains("schema-drift"));
    }
}
