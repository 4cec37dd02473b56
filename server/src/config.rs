//! Command-line and environment configuration of the server binary.

use std::{net::SocketAddr, path::PathBuf};

use clap::{Parser, Subcommand, ValueEnum};
use yingxiao_core::{base_path::BasePath, scope::Role};

/// `yingxiao-server`: the Yingxiao 营销 sync endpoint and web app server.
#[derive(Debug, Parser)]
#[command(name = "yingxiao-server", version, about)]
pub struct Cli {
    /// Log format: human-readable text or one JSON object per line.
    #[arg(long, global = true, env = "YINGXIAO_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the API and the built web app until SIGINT or SIGTERM.
    Serve(ServeArgs),
    /// Bring the database schema up to date and exit.
    Migrate(StorageArgs),
    /// Manage user accounts.
    #[command(subcommand)]
    User(UserCommand),
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Add a user; the password is read from standard input.
    Add(UserAddArgs),
    /// Disable a user: their sessions end at once and they cannot sign in.
    Disable {
        #[arg(long)]
        login: String,
        #[command(flatten)]
        storage: StorageArgs,
    },
    /// Set a new password (read from standard input) and end the user's sessions.
    ResetPassword {
        #[arg(long)]
        login: String,
        #[arg(long, required = true)]
        password_stdin: bool,
        #[command(flatten)]
        storage: StorageArgs,
    },
}

#[derive(Debug, clap::Args)]
pub struct UserAddArgs {
    #[arg(long)]
    pub login: String,
    /// admin, hq_marketing, regional_manager, area_supervisor, sales_rep, promoter, finance, service_agent
    #[arg(long, value_parser = parse_role)]
    pub role: Role,
    /// The org unit (id, code or name); the company itself when omitted.
    #[arg(long)]
    pub unit: Option<String>,
    /// Display name; the login when omitted.
    #[arg(long)]
    pub name: Option<String>,
    /// Read the password from standard input (required: passwords never go on the command line).
    #[arg(long, required = true)]
    pub password_stdin: bool,
    #[command(flatten)]
    pub storage: StorageArgs,
}

fn parse_role(raw: &str) -> Result<Role, String> {
    Role::parse(raw).ok_or_else(|| {
        let all: Vec<&str> = Role::ALL.iter().map(|r| r.as_str()).collect();
        format!("unknown role; use one of {}", all.join(", "))
    })
}

/// Where the database lives: SQLite under the data directory unless `DATABASE_URL` names PostgreSQL.
#[derive(Clone, Debug, clap::Args)]
pub struct StorageArgs {
    /// Directory for the embedded SQLite database (`yingxiao.sqlite3`).
    #[arg(long, env = "YINGXIAO_DATA_DIR", default_value = "./data")]
    pub data_dir: PathBuf,

    /// A `postgres://` URL; when set, PostgreSQL is used instead of SQLite.
    #[arg(long, env = "DATABASE_URL", hide_env_values = true)]
    pub database_url: Option<String>,
}

#[derive(Clone, Debug, clap::Args)]
pub struct ServeArgs {
    /// Address and port to listen on.
    #[arg(long, env = "YINGXIAO_ADDR", default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,

    /// The web app built by trunk.
    #[arg(long, env = "YINGXIAO_DIST", default_value = "./dist")]
    pub dist: PathBuf,

    /// URL prefix the app is mounted under, e.g. `/yingxiao` inside an intranet portal.
    #[arg(long, env = "YINGXIAO_BASE_PATH", default_value = "/", value_parser = parse_base_path)]
    pub base_path: BasePath,

    #[command(flatten)]
    pub storage: StorageArgs,
}

fn parse_base_path(raw: &str) -> Result<BasePath, String> {
    BasePath::parse(raw).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serve_flags_parse_with_defaults() {
        let cli =
            Cli::try_parse_from(["yingxiao-server", "serve", "--base-path", "/yingxiao/"]).unwrap();
        let Command::Serve(args) = cli.command else {
            panic!("expected serve")
        };
        assert_eq!(args.base_path.as_str(), "/yingxiao");
        assert_eq!(args.dist, PathBuf::from("./dist"));
    }

    #[test]
    fn a_bad_base_path_is_a_clear_usage_error() {
        let err =
            Cli::try_parse_from(["yingxiao-server", "serve", "--base-path", "portal"]).unwrap_err();
        assert!(err.to_string().contains("must start with '/'"), "{err}");
    }
}
