//! Gate states for the diagram: does a security group let the path through right now?
//!
//! The same evaluation the data plane uses ([`super::traffic`]), asked without sending anything.

use super::net::Ipv4;
use super::scenario::NetworkMode;
use super::Sim;
use std::sync::Arc;

impl Sim {
    /// Does the ALB's security group admit the client on the port it sends to?
    pub fn alb_gate_open(&self) -> bool {
        let client = Ipv4::parse(&self.scenario.client.ip).unwrap_or(Ipv4(0));
        let groups: Vec<Arc<str>> = self.scenario.load_balancer.security_groups.iter().map(|g| Arc::from(g.as_str())).collect();
        self.compiled.ingress_admits(&groups, client, &[], self.scenario.client.port).is_some()
    }

    /// Does the task's security group admit the ALB on the task's registered port (or, for a
    /// task without a target, on its container port)?
    pub fn task_gate_open(&self, seq: u32) -> bool {
        let Some(task) = self.tasks.get(&seq) else { return false };
        let port = task.registered_port().unwrap_or(task.app.listen_port);
        let node = task_node_ip(self, &task.availability_zone);
        let alb: Vec<Arc<str>> = self.scenario.load_balancer.security_groups.iter().map(|g| Arc::from(g.as_str())).collect();
        let groups: Vec<Arc<str>> = match task.network_mode {
            NetworkMode::Awsvpc => task.security_groups.clone(),
            NetworkMode::Bridge => self
                .scenario
                .container_instances
                .iter()
                .find(|c| task.instance.as_deref() == Some(c.id.as_str()))
                .map(|c| c.security_groups.iter().map(|g| Arc::from(g.as_str())).collect())
                .unwrap_or_default(),
        };
        self.compiled.ingress_admits(&groups, node, &alb, port).is_some()
    }
}

fn task_node_ip(sim: &Sim, zone: &str) -> Ipv4 {
    sim.alb_node_for(zone).map(|n| n.ip).unwrap_or(Ipv4(0))
}
