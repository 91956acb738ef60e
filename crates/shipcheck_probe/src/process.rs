//! Local commands in a process group of their own, so that a timeout, a cancelled run or
//! a teardown kills the command *and everything it started* (no orphan keeps running, or
//! keeps a pipe open). Used by the `exec`, `logs` and `drill` kinds and by the runner's
//! `setup`/`teardown`.

use std::io;
use std::os::unix::process::CommandExt as _;
use std::process::{Child, Command, ExitStatus};

use rustix::process::{Pid, Signal, kill_process_group};

/// A child that leads its own process group; dropping it kills the group.
#[derive(Debug)]
pub struct GroupChild {
    child: Child,
    pgid: Option<Pid>,
}

impl GroupChild {
    /// Spawns `cmd` as the leader of a new process group.
    pub fn spawn(cmd: &mut Command) -> io::Result<Self> {
        cmd.process_group(0);
        let child = cmd.spawn()?;
        let pgid = Pid::from_raw(i32::try_from(child.id()).unwrap_or(0));
        Ok(Self { child, pgid })
    }

    /// The child (for its pipes).
    pub fn child_mut(&mut self) -> &mut Child {
        &mut self.child
    }

    /// The leader's process id (= the group id).
    pub fn id(&self) -> u32 {
        self.child.id()
    }

    /// Whether the leader exited (without blocking).
    pub fn try_wait(&mut self) -> io::Result<Option<ExitStatus>> {
        self.child.try_wait()
    }

    /// Sends `SIGTERM` to the whole group (a polite stop; see [`Self::kill`]).
    pub fn terminate(&self) {
        if let Some(pgid) = self.pgid {
            let _ = kill_process_group(pgid, Signal::TERM);
        }
    }

    /// Kills the whole group with `SIGKILL` and reaps the leader, giving how it ended.
    pub fn kill(&mut self) -> Option<ExitStatus> {
        if let Some(pgid) = self.pgid {
            let _ = kill_process_group(pgid, Signal::KILL);
        }
        let _ = self.child.kill();
        self.child.wait().ok()
    }
}

impl Drop for GroupChild {
    fn drop(&mut self) {
        let _ = self.kill();
    }
}
