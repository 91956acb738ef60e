//! Submitted commands and their response stream.
//!
//! `POST /api/v1/commands` stores the command in SQLite and registers it here; the WebSocket
//! stream (`GET /ws/responses/{command_id}?token=…`, [`crate::stream`]) looks the command up
//! with [`CommandHub::responses`] and sends each message in order.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

use serde_json::{Value, json};

/// At most this many commands are remembered; the oldest is forgotten first.
const MAX_COMMANDS: usize = 1024;

/// Commands submitted since start, with the messages their stream will carry.
#[derive(Default)]
pub(crate) struct CommandHub {
    inner: Mutex<Commands>,
}

#[derive(Default)]
struct Commands {
    by_id: HashMap<String, Vec<Value>>,
    order: VecDeque<String>,
}

impl CommandHub {
    /// Registers a stored command and scripts the responses its stream will deliver.
    pub(crate) fn submit(&self, command_id: &str, vehicle_id: i64, command: &str) {
        let responses = ["accepted", "executing", "completed"]
            .iter()
            .enumerate()
            .map(|(seq, state)| {
                json!({
                    "command_id": command_id,
                    "vehicle_id": vehicle_id,
                    "command": command,
                    "seq": seq + 1,
                    "state": state,
                })
            })
            .collect();
        let mut commands = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        while commands.order.len() >= MAX_COMMANDS {
            if let Some(old) = commands.order.pop_front() {
                commands.by_id.remove(&old);
            }
        }
        commands.by_id.insert(command_id.to_owned(), responses);
        commands.order.push_back(command_id.to_owned());
    }

    /// The messages the stream for `command_id` delivers, if the command is known.
    pub(crate) fn responses(&self, command_id: &str) -> Option<Vec<Value>> {
        let commands = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        commands.by_id.get(command_id).cloned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn submitted_commands_have_three_ordered_responses() {
        let hub = CommandHub::default();
        hub.submit("abc", 1, "read-dtc");
        let responses = hub.responses("abc").unwrap();
        let states: Vec<_> = responses
            .iter()
            .map(|r| r["state"].as_str().unwrap())
            .collect();
        assert_eq!(states, ["accepted", "executing", "completed"]);
        assert_eq!(responses[2]["seq"], 3);
        assert!(hub.responses("nope").is_none());
    }
}
