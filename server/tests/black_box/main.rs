//! The server's black-box tests: the real app on a random port with an in-memory copy of the
//! demo store (`common`), driven over HTTP as a browser or a script would, and the `utvag`
//! command line run as a process. One test binary, one module per area, so the server is
//! linked once for all of them.

mod audit_cli;
mod auth;
mod backup;
mod common;
mod crash;
mod damage;
mod driver;
mod instances;
mod language;
mod limits;
mod load;
mod outsiders;
mod participants;
mod process;
mod site;
mod web;
