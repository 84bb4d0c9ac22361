//! Gate states for the diagram: does a security group let the path through right now?
//!
//! Asked of the data plane's own decisions ([`super::traffic`]) without sending anything, so a
//! gate is open exactly when the load balancer's traffic would pass it.

use super::ecs::Task;
use super::nacl::NaclRefusal;
use super::trace::Detail;
use super::traffic::Source;
use super::Sim;

impl Sim {
    /// Does the ALB's security group admit the client on the port it sends to?
    pub fn alb_gate_open(&self) -> bool {
        self.admit_client_to_alb().is_ok()
    }

    /// Do the load balancer's subnets' network ACLs let the client in and the replies out?
    pub fn alb_nacl_gate_open(&self) -> bool {
        self.alb_nacl_refusal().is_none()
    }

    /// Which network ACL drops the client, and how (for the gate's name).
    pub fn alb_nacl_refusal(&self) -> Option<NaclRefusal> {
        match self.admit_client_to_alb_subnets() {
            Err(Detail::NaclDenies(r)) => Some(r),
            _ => None,
        }
    }

    /// Do the network ACLs between the load balancer's nodes and this task let a connection on
    /// the task's registered port through, both ways?
    pub fn task_nacl_gate_open(&self, seq: u32) -> bool {
        self.tasks.contains_key(&seq) && self.task_nacl_refusal(seq).is_none()
    }

    /// Which network ACL drops the load balancer's connections to this task, and how.
    pub fn task_nacl_refusal(&self, seq: u32) -> Option<NaclRefusal> {
        let task = self.tasks.get(&seq)?;
        let (port, src) = self.gate_probe(task);
        match self.admit_through_nacls(&task.subnet, task.private_ip, port, src) {
            Err(Detail::NaclDenies(r)) => Some(r),
            _ => None,
        }
    }

    /// Does traffic from the load balancer reach the task through the security groups, on the
    /// task's registered port (or, for a task without a target, its container port)? Both the
    /// load balancer's outbound rules and the task's inbound rules count, as for a request.
    pub fn task_gate_open(&self, seq: u32) -> bool {
        let Some(task) = self.tasks.get(&seq) else { return false };
        let (port, src) = self.gate_probe(task);
        self.admit_to_task(task, port, src).is_ok()
    }

    /// What a task's gates are asked about: the task's registered port (or, without a target,
    /// its app's port), from the load balancer node in its zone.
    fn gate_probe(&self, task: &Task) -> (u16, Source) {
        let port = task.registered_port().unwrap_or(task.app.listen_port);
        let node_ip = self.alb_node_for(&task.availability_zone).map(|n| n.ip).unwrap_or(super::net::Ipv4(0));
        (port, Source::Alb { node_ip })
    }
}
