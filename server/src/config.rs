//! Command-line and environment configuration of the server binary.

use std::{
    net::SocketAddr,
    path::{Path, PathBuf},
    time::Duration,
};

use axum::http::HeaderName;
use clap::{Parser, Subcommand, ValueEnum};
use yingxiao_core::{
    base_path::BasePath,
    brand::BrandSpec,
    embed::FrameAncestors,
    import::{Delimiter, Encoding, ImportKind},
    scope::Role,
};

use crate::{
    demo::Day, oidc::OidcConfig, proxies::TrustedProxies, serve::ServeOptions,
    sign_on::HeaderSignOn, storage::StorageArgs,
};

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
    Serve(Box<ServeArgs>),
    /// Bring the database schema up to date and exit.
    Migrate(StorageArgs),
    /// Manage user accounts.
    #[command(subcommand)]
    User(UserCommand),
    /// Fill an empty database with the demo company (示例公司) and print its demo logins.
    Seed(SeedArgs),
    /// Import a CSV file of org units, users, customers, products or opportunities.
    Import(ImportArgs),
    /// Import an organisation from an HR export of people (employee number, manager's employee
    /// number, name, title, department): builds the units and their managers too.
    ImportOrg(ImportOrgArgs),
    /// Copy the embedded SQLite database, consistent, to a new file while the server runs
    /// (PostgreSQL: use pg_dump).
    Backup(BackupArgs),
}

/// `backup --to FILE`.
#[derive(Debug, clap::Args)]
pub struct BackupArgs {
    /// The new file (it must not exist). To restore: stop the server, put the file in the data
    /// directory as `yingxiao.sqlite3` (removing `yingxiao.sqlite3-wal` and `-shm`), start it.
    #[arg(long)]
    pub to: PathBuf,
    #[command(flatten)]
    pub storage: StorageArgs,
}

/// `import-org PEOPLE.csv [--accounts PASSWORDS.csv] [--dry-run]`.
#[derive(Debug, clap::Args)]
pub struct ImportOrgArgs {
    /// A UTF-8 CSV file (comma or tab separated) with a header naming the columns: employee_id/工号,
    /// manager_id/上级工号, name/姓名, title/职务 (optional), unit/部门.
    pub file: PathBuf,
    /// Also make a sign-in account for every imported person, with a one-time password; the list
    /// (login, name, password) goes to this new file, readable by its owner only.
    #[arg(long)]
    pub accounts: Option<PathBuf>,
    /// Report every bad row and write nothing.
    #[arg(long)]
    pub dry_run: bool,
    #[command(flatten)]
    pub storage: StorageArgs,
}

/// `import KIND FILE.csv --map header=field,... [--values field:theirs=ours,...] [--dry-run]`.
#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    /// org_units, users, customers, products, opportunities, orders, targets or past_actuals
    #[arg(value_parser = parse_import_kind)]
    pub kind: ImportKind,
    /// A CSV file (comma, tab, semicolon or pipe separated; UTF-8, GBK or UTF-16) or an Excel
    /// workbook (.xlsx); the first non-blank line is the header.
    #[arg(required_unless_present = "describe")]
    pub file: Option<PathBuf>,
    /// Print the kind's fields (names, labels, required, choices, what references match) and stop.
    #[arg(long)]
    pub describe: bool,
    /// File header → field, e.g. `客户名称=name,等级=tier`; headers equal to a field's name or label
    /// need no entry. Escape a comma or `=` in a header with a backslash.
    #[arg(long, default_value = "")]
    pub map: String,
    /// The file's words for our choices, e.g. `stage:Won=won,stage:Engaging=compare`.
    #[arg(long, default_value = "")]
    pub values: String,
    /// A value for every row that has none, e.g. `unit=SH,owner=li.qiang,currency=USD`.
    #[arg(long = "set", default_value = "")]
    pub defaults: String,
    /// The key that finds the stored record a row updates (e.g. `name`), instead of the kind's
    /// own (code, login, external id…).
    #[arg(long)]
    pub key: Option<String>,
    /// auto, comma, tab, semicolon or pipe.
    #[arg(long, default_value = "auto", value_parser = parse_delimiter)]
    pub delimiter: Delimiter,
    /// auto, utf-8, gbk (read as GB18030), utf-16le or utf-16be.
    #[arg(long, default_value = "auto", value_parser = parse_encoding)]
    pub encoding: Encoding,
    /// The workbook's sheet to read; the first when omitted.
    #[arg(long)]
    pub sheet: Option<String>,
    /// Report every bad row and write nothing.
    #[arg(long, conflicts_with = "apply_valid")]
    pub dry_run: bool,
    /// Apply the good rows even if some are bad, and write the bad ones to `--refused`.
    #[arg(long)]
    pub apply_valid: bool,
    /// Where `--apply-valid` writes the refused rows with their reasons (default: FILE.refused.csv).
    #[arg(long, requires = "apply_valid")]
    pub refused: Option<PathBuf>,
    #[command(flatten)]
    pub storage: StorageArgs,
}

fn parse_delimiter(raw: &str) -> Result<Delimiter, String> {
    Delimiter::parse(raw).ok_or_else(|| "use auto, comma, tab, semicolon or pipe".to_owned())
}

fn parse_encoding(raw: &str) -> Result<Encoding, String> {
    Encoding::parse(raw).ok_or_else(|| "use auto, utf-8, gbk, utf-16le or utf-16be".to_owned())
}

fn parse_import_kind(raw: &str) -> Result<ImportKind, String> {
    ImportKind::parse(raw).ok_or_else(|| {
        let all: Vec<&str> = ImportKind::ALL.iter().map(|k| k.as_str()).collect();
        format!("unknown kind; use one of {}", all.join(", "))
    })
}

/// `seed --demo`: a deterministic demo company for trying the app, end-to-end tests and benchmarks.
#[derive(Debug, clap::Args)]
pub struct SeedArgs {
    /// Seed the demo company (the one kind of seed data there is).
    #[arg(long, required = true)]
    pub demo: bool,
    /// Multiply customers, opportunities, promotions, orders, reps, promoters and stores (benchmarks).
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=100))]
    pub scale: u32,
    /// The random seed: the same seed, scale and as-of date give the same company, ids included.
    #[arg(long, default_value_t = 2026)]
    pub seed: u64,
    /// The day the data is as of (YYYY-MM-DD): history before it, plans after it. Today in
    /// Asia/Shanghai when omitted.
    #[arg(long)]
    pub as_of: Option<Day>,
    /// When the database already has data, do nothing and succeed (still listing the demo logins).
    #[arg(long)]
    pub if_empty: bool,
    #[command(flatten)]
    pub storage: StorageArgs,
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

    /// Reverse proxies whose `X-Forwarded-For` names the client (comma-separated addresses or CIDR
    /// blocks, e.g. `10.0.0.5,10.1.0.0/16`). From anyone else the header is ignored.
    #[arg(long, env = "YINGXIAO_TRUSTED_PROXIES", default_value = "", value_parser = TrustedProxies::parse)]
    pub trusted_proxies: TrustedProxies,

    /// Intranet portals that may show the app in a frame, besides its own origin (comma-separated
    /// origins, e.g. `https://portal.example.com,https://*.oa.example.cn`). Browsers refuse to
    /// draw it inside any other page.
    #[arg(long, env = "YINGXIAO_FRAME_ANCESTORS", default_value = "", value_parser = parse_frame_ancestors)]
    pub frame_ancestors: FrameAncestors,

    #[command(flatten)]
    pub look: LookArgs,

    #[command(flatten)]
    pub sign_on: SignOnArgs,

    /// Seconds a connection may take to send a complete request head; idle keep-alive connections
    /// are closed after the same time.
    #[arg(long, env = "YINGXIAO_HEADER_TIMEOUT", default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub header_timeout: u64,

    /// Seconds a request body may take to arrive (408 after), and a response may wait for the client
    /// to read it.
    #[arg(long, env = "YINGXIAO_BODY_TIMEOUT", default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub body_timeout: u64,

    /// Open connections at most; more are answered 503 at once. Keep it well under the open-file
    /// limit (the server raises its soft limit to the hard one at start).
    #[arg(long, env = "YINGXIAO_MAX_CONNECTIONS", default_value_t = 2048, value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    pub max_connections: u32,

    #[command(flatten)]
    pub storage: StorageArgs,
}

impl ServeArgs {
    /// The connection limits for `serve::serve`.
    pub fn serve_options(&self) -> ServeOptions {
        ServeOptions {
            header_timeout: Duration::from_secs(self.header_timeout),
            body_timeout: Duration::from_secs(self.body_timeout),
            max_connections: self.max_connections as usize,
            ..ServeOptions::default()
        }
    }
}

/// How the app looks: embed mode for every visit, and the company's brand (品牌) over the app's own.
/// A portal may also send a brand and a theme through its messages; this is what shows before.
#[derive(Clone, Debug, Default, clap::Args)]
pub struct LookArgs {
    /// Draw only the page content, without the app's navigation and top bar, on every visit (as
    /// `?embed=1` does for one tab): for a deployment used only inside a portal.
    #[arg(long, env = "YINGXIAO_EMBED")]
    pub embed: bool,

    /// The brand's accent colour, `#rrggbb`; darkened or lightened where text in it would not read.
    #[arg(long, env = "YINGXIAO_BRAND_ACCENT")]
    pub brand_accent: Option<String>,

    /// The accent in the dark theme, `#rrggbb` (derived from --brand-accent when not given).
    #[arg(long, env = "YINGXIAO_BRAND_ACCENT_DARK")]
    pub brand_accent_dark: Option<String>,

    /// Corner radius in pixels, 0–24.
    #[arg(long, env = "YINGXIAO_BRAND_RADIUS")]
    pub brand_radius: Option<u32>,

    /// A CSS font-family list, e.g. `"HarmonyOS Sans SC", sans-serif` (fonts installed on the devices).
    #[arg(long, env = "YINGXIAO_BRAND_FONT")]
    pub brand_font: Option<String>,

    /// A logo file (PNG, JPEG, WebP or SVG, at most 64 KiB) shown in place of the app's mark.
    #[arg(long, env = "YINGXIAO_BRAND_LOGO")]
    pub brand_logo: Option<PathBuf>,
}

impl LookArgs {
    /// The configured brand, checked; the logo file read into a `data:` URL.
    pub fn brand(&self) -> anyhow::Result<BrandSpec> {
        let logo = match &self.brand_logo {
            None => None,
            Some(path) => Some(logo_data_url(path)?),
        };
        let spec = BrandSpec {
            accent: self.brand_accent.clone(),
            accent_dark: self.brand_accent_dark.clone(),
            radius: self.brand_radius,
            font: self.brand_font.clone(),
            logo,
        };
        spec.check()
            .map_err(|e| anyhow::anyhow!("--brand-*: {e}"))?;
        Ok(spec)
    }
}

/// Single sign-on from the portal by a trusted header; off unless `--sso-header` is set.
#[derive(Clone, Debug, Default, clap::Args)]
pub struct SignOnArgs {
    /// The header in which the portal's reverse proxy names the signed-in user's login, e.g.
    /// `X-Remote-User`. Believed only from `--sso-proxies`.
    #[arg(long, env = "YINGXIAO_SSO_HEADER")]
    pub sso_header: Option<String>,

    /// The reverse proxies whose `--sso-header` is believed: comma-separated addresses or CIDR
    /// blocks, as they connect to this server. Required with `--sso-header`.
    #[arg(long, env = "YINGXIAO_SSO_PROXIES", default_value = "", value_parser = TrustedProxies::parse)]
    pub sso_proxies: TrustedProxies,

    /// Give a login the portal names but the server does not know an account with this role (not
    /// admin); without it such a login is refused.
    #[arg(long, env = "YINGXIAO_SSO_CREATE_ROLE", value_parser = parse_role)]
    pub sso_create_role: Option<Role>,

    /// The unit (code, name or id) of accounts made by `--sso-create-role`; the company by default.
    #[arg(long, env = "YINGXIAO_SSO_CREATE_UNIT", requires = "sso_create_role")]
    pub sso_create_unit: Option<String>,

    /// OpenID Connect: the company identity provider's issuer URL (its discovery document is read
    /// under it). Sign-in then offers 企业账号登录 besides the password.
    #[arg(long, env = "YINGXIAO_OIDC_ISSUER")]
    pub oidc_issuer: Option<String>,

    /// This server's client id at the provider.
    #[arg(long, env = "YINGXIAO_OIDC_CLIENT_ID", requires = "oidc_issuer")]
    pub oidc_client_id: Option<String>,

    /// The client secret, for a confidential client (PKCE is used either way).
    #[arg(long, env = "YINGXIAO_OIDC_CLIENT_SECRET", requires = "oidc_issuer")]
    pub oidc_client_secret: Option<String>,

    /// This server's callback as registered at the provider, ending in `/api/v1/auth/oidc/callback`,
    /// e.g. `https://crm.example.com/yingxiao/api/v1/auth/oidc/callback`.
    #[arg(long, env = "YINGXIAO_OIDC_REDIRECT_URI", requires = "oidc_issuer")]
    pub oidc_redirect_uri: Option<String>,

    /// The ID token claim that holds the login.
    #[arg(
        long,
        env = "YINGXIAO_OIDC_LOGIN_CLAIM",
        default_value = "preferred_username"
    )]
    pub oidc_login_claim: String,
}

impl SignOnArgs {
    /// Accounts made for logins not known yet, by either sign-on.
    fn create(&self) -> Option<(Role, Option<String>)> {
        self.sso_create_role
            .map(|role| (role, self.sso_create_unit.clone()))
    }

    /// The configured OpenID sign-in, checked: an issuer, a client id and a callback URL.
    pub fn oidc(&self) -> anyhow::Result<Option<OidcConfig>> {
        let Some(issuer) = &self.oidc_issuer else {
            return Ok(None);
        };
        let url = |name: &str, value: &str| -> anyhow::Result<()> {
            if value.starts_with("https://") || value.starts_with("http://") {
                Ok(())
            } else {
                anyhow::bail!("{name} {value:?} is not an http(s) URL")
            }
        };
        url("--oidc-issuer", issuer)?;
        let client_id = self
            .oidc_client_id
            .clone()
            .ok_or_else(|| anyhow::anyhow!("--oidc-issuer needs --oidc-client-id"))?;
        let redirect_uri = self.oidc_redirect_uri.clone().ok_or_else(|| {
            anyhow::anyhow!(
                "--oidc-issuer needs --oidc-redirect-uri: this server's callback as registered at \
                 the provider, ending in /api/v1/auth/oidc/callback"
            )
        })?;
        url("--oidc-redirect-uri", &redirect_uri)?;
        if !redirect_uri.ends_with("/api/v1/auth/oidc/callback") {
            anyhow::bail!("--oidc-redirect-uri must end in /api/v1/auth/oidc/callback");
        }
        if self.sso_create_role == Some(Role::Admin) {
            anyhow::bail!(
                "--sso-create-role admin: accounts made by sign-on may not be administrators"
            );
        }
        Ok(Some(OidcConfig {
            issuer: issuer.trim_end_matches('/').to_owned(),
            client_id,
            client_secret: self.oidc_client_secret.clone(),
            redirect_uri,
            login_claim: self.oidc_login_claim.clone(),
            create: self.create(),
        }))
    }

    /// The configured header sign-on, checked: a header name, and proxies to believe it from.
    pub fn header_sign_on(&self) -> anyhow::Result<Option<HeaderSignOn>> {
        let Some(header) = &self.sso_header else {
            if !self.sso_proxies.is_empty() {
                anyhow::bail!("--sso-proxies needs --sso-header");
            }
            if self.sso_create_role.is_some() && self.oidc_issuer.is_none() {
                anyhow::bail!("--sso-create-role needs --sso-header or --oidc-issuer");
            }
            return Ok(None);
        };
        let header = HeaderName::try_from(header.trim())
            .map_err(|_| anyhow::anyhow!("--sso-header {header:?} is not a header name"))?;
        if self.sso_proxies.is_empty() {
            anyhow::bail!(
                "--sso-header needs --sso-proxies: the addresses of the proxies that set it \
                 (from anyone else the header could be forged)"
            );
        }
        if self.sso_create_role == Some(Role::Admin) {
            anyhow::bail!(
                "--sso-create-role admin: accounts made by sign-on may not be administrators"
            );
        }
        Ok(Some(HeaderSignOn {
            header,
            proxies: self.sso_proxies.clone(),
            create: self.create(),
        }))
    }
}

fn logo_data_url(path: &Path) -> anyhow::Result<String> {
    use base64::Engine;
    let extension = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    let kind = match extension.as_deref() {
        Some("png") => "image/png",
        Some("jpg" | "jpeg") => "image/jpeg",
        Some("webp") => "image/webp",
        Some("svg") => "image/svg+xml",
        _ => anyhow::bail!(
            "--brand-logo {}: give a .png, .jpg, .webp or .svg file",
            path.display()
        ),
    };
    let bytes =
        std::fs::read(path).map_err(|e| anyhow::anyhow!("--brand-logo {}: {e}", path.display()))?;
    if bytes.len() > 64 * 1024 {
        anyhow::bail!(
            "--brand-logo {} is {} KiB; use a logo of at most 64 KiB",
            path.display(),
            bytes.len().div_ceil(1024)
        );
    }
    let data = base64::engine::general_purpose::STANDARD.encode(bytes);
    Ok(format!("data:{kind};base64,{data}"))
}

fn parse_frame_ancestors(raw: &str) -> Result<FrameAncestors, String> {
    FrameAncestors::parse(raw).map_err(|e| e.to_string())
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
        assert!(
            args.trusted_proxies.is_empty(),
            "no proxy is trusted by default"
        );
        let options = args.serve_options();
        assert_eq!(options.header_timeout, Duration::from_secs(10));
        assert_eq!(options.body_timeout, Duration::from_secs(30));
        assert_eq!(options.max_connections, 2048);
    }

    fn look(flags: &[&str]) -> LookArgs {
        let cli = Cli::try_parse_from(["yingxiao-server", "serve"].iter().chain(flags)).unwrap();
        let Command::Serve(args) = cli.command else {
            panic!("expected serve")
        };
        args.look
    }

    #[test]
    fn the_brand_is_read_checked_and_its_logo_inlined() {
        let dir = tempfile::tempdir().unwrap();
        let logo = dir.path().join("logo.svg");
        std::fs::write(&logo, "<svg xmlns='http://www.w3.org/2000/svg'/>").unwrap();
        let args = look(&[
            "--embed",
            "--brand-accent",
            "#1f4e79",
            "--brand-radius",
            "4",
            "--brand-logo",
            logo.to_str().unwrap(),
        ]);
        assert!(args.embed);
        let brand = args.brand().unwrap();
        assert_eq!(brand.accent.as_deref(), Some("#1f4e79"));
        assert!(brand
            .logo
            .unwrap()
            .starts_with("data:image/svg+xml;base64,PHN2Zy"));
        assert!(look(&[]).brand().unwrap().is_empty());

        let error = look(&["--brand-accent", "blue"]).brand().unwrap_err();
        assert!(error.to_string().contains("#rrggbb"), "{error}");
        let text = dir.path().join("logo.txt");
        std::fs::write(&text, "x").unwrap();
        let error = look(&["--brand-logo", text.to_str().unwrap()])
            .brand()
            .unwrap_err();
        assert!(error.to_string().contains(".svg"), "{error}");
        let big = dir.path().join("big.png");
        std::fs::write(&big, vec![0u8; 70 * 1024]).unwrap();
        let error = look(&["--brand-logo", big.to_str().unwrap()])
            .brand()
            .unwrap_err();
        assert!(error.to_string().contains("64 KiB"), "{error}");
    }

    fn sign_on(flags: &[&str]) -> anyhow::Result<Option<HeaderSignOn>> {
        let cli = Cli::try_parse_from(["yingxiao-server", "serve"].iter().chain(flags)).unwrap();
        let Command::Serve(args) = cli.command else {
            panic!("expected serve")
        };
        args.sign_on.header_sign_on()
    }

    #[test]
    fn header_sign_on_needs_its_proxies_and_never_makes_admins() {
        assert!(sign_on(&[]).unwrap().is_none());
        let on = sign_on(&[
            "--sso-header",
            "X-Remote-User",
            "--sso-proxies",
            "10.0.0.5",
            "--sso-create-role",
            "sales_rep",
            "--sso-create-unit",
            "EAST",
        ])
        .unwrap()
        .unwrap();
        assert_eq!(on.header.as_str(), "x-remote-user");
        assert_eq!(on.create, Some((Role::SalesRep, Some("EAST".into()))));
        let error = sign_on(&["--sso-header", "X-Remote-User"]).unwrap_err();
        assert!(error.to_string().contains("--sso-proxies"), "{error}");
        let error = sign_on(&["--sso-proxies", "10.0.0.5"]).unwrap_err();
        assert!(error.to_string().contains("needs --sso-header"), "{error}");
        let error =
            sign_on(&["--sso-header", "bad header", "--sso-proxies", "10.0.0.5"]).unwrap_err();
        assert!(error.to_string().contains("not a header name"), "{error}");
        let error = sign_on(&[
            "--sso-header",
            "X-Remote-User",
            "--sso-proxies",
            "10.0.0.5",
            "--sso-create-role",
            "admin",
        ])
        .unwrap_err();
        assert!(error.to_string().contains("administrators"), "{error}");
    }

    #[test]
    fn trusted_proxies_and_connection_limits_parse_and_bad_ones_are_refused() {
        let cli = Cli::try_parse_from([
            "yingxiao-server",
            "serve",
            "--trusted-proxies",
            "10.0.0.5, 10.1.0.0/16",
            "--max-connections",
            "100",
            "--header-timeout",
            "5",
        ])
        .unwrap();
        let Command::Serve(args) = cli.command else {
            panic!("expected serve")
        };
        assert_eq!(
            args.trusted_proxies,
            TrustedProxies::parse("10.0.0.5,10.1.0.0/16").unwrap()
        );
        assert_eq!(args.serve_options().max_connections, 100);
        assert_eq!(args.serve_options().header_timeout, Duration::from_secs(5));
        for bad in [
            vec![
                "yingxiao-server",
                "serve",
                "--trusted-proxies",
                "proxy.local",
            ],
            vec!["yingxiao-server", "serve", "--max-connections", "0"],
            vec!["yingxiao-server", "serve", "--header-timeout", "0"],
        ] {
            assert!(Cli::try_parse_from(&bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn seed_flags_parse_with_defaults_and_check_the_date() {
        let cli = Cli::try_parse_from([
            "yingxiao-server",
            "seed",
            "--demo",
            "--if-empty",
            "--as-of",
            "2026-03-15",
        ])
        .unwrap();
        let Command::Seed(args) = cli.command else {
            panic!("expected seed")
        };
        assert!(args.demo && args.if_empty);
        assert_eq!((args.scale, args.seed), (1, 2026));
        assert_eq!(args.as_of, Day::parse("2026-03-15"));
        for bad in [
            vec!["yingxiao-server", "seed"],
            vec!["yingxiao-server", "seed", "--demo", "--as-of", "2026-02-30"],
            vec!["yingxiao-server", "seed", "--demo", "--scale", "0"],
        ] {
            assert!(Cli::try_parse_from(&bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn a_bad_base_path_is_a_clear_usage_error() {
        let err =
            Cli::try_parse_from(["yingxiao-server", "serve", "--base-path", "portal"]).unwrap_err();
        assert!(err.to_string().contains("must start with '/'"), "{err}");
    }
}
