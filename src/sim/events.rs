//! The event log: ECS service events and target-health changes, in AWS's own message formats,
//! newest last, bounded.

use std::collections::VecDeque;

/// The console keeps about 100 service events; the lab keeps a few more, across both sources.
pub const MAX_EVENTS: usize = 400;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventSource {
    /// `DescribeServices.events[].message`.
    EcsService,
    /// A target's state as `DescribeTargetHealth` would show it.
    TargetHealth,
    /// What the learner changed (commands), so the log reads as a story.
    Change,
}

impl EventSource {
    pub fn key(self) -> &'static str {
        match self {
            EventSource::EcsService => "ecs",
            EventSource::TargetHealth => "target-health",
            EventSource::Change => "change",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Event {
    pub seq: u64,
    pub at_ms: u64,
    pub source: EventSource,
    pub message: String,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct EventLog {
    events: VecDeque<Event>,
    next_seq: u64,
}

impl EventLog {
    pub fn push(&mut self, at_ms: u64, source: EventSource, message: String) {
        if self.events.len() >= MAX_EVENTS {
            self.events.pop_front();
        }
        self.events.push_back(Event { seq: self.next_seq, at_ms, source, message });
        self.next_seq += 1;
    }
    /// Oldest first.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &Event> {
        self.events.iter()
    }
    pub fn len(&self) -> usize {
        self.events.len()
    }
    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }
    /// How many events were ever logged (the next sequence number).
    pub fn total(&self) -> u64 {
        self.next_seq
    }
}
