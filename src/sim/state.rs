//! The states a task and a target go through, as ECS and the load balancer name them.
//!
//! Plain values in a module of their own, so the task lifecycle (`ecs`), target health
//! (`health`) and the traces that mention both (`trace`) can use them without importing each
//! other in a circle.

use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TaskState {
    Provisioning,
    Pending,
    Activating,
    Running,
    Deactivating,
    Stopping,
    Deprovisioning,
    Stopped,
}

impl TaskState {
    pub fn key(self) -> &'static str {
        match self {
            TaskState::Provisioning => "PROVISIONING",
            TaskState::Pending => "PENDING",
            TaskState::Activating => "ACTIVATING",
            TaskState::Running => "RUNNING",
            TaskState::Deactivating => "DEACTIVATING",
            TaskState::Stopping => "STOPPING",
            TaskState::Deprovisioning => "DEPROVISIONING",
            TaskState::Stopped => "STOPPED",
        }
    }
}

impl fmt::Display for TaskState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TargetState {
    Initial,
    Healthy,
    Unhealthy,
    Draining,
    Unused,
}

impl TargetState {
    pub fn key(self) -> &'static str {
        match self {
            TargetState::Initial => "initial",
            TargetState::Healthy => "healthy",
            TargetState::Unhealthy => "unhealthy",
            TargetState::Draining => "draining",
            TargetState::Unused => "unused",
        }
    }
}

impl fmt::Display for TargetState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}
