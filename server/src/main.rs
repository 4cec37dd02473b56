//! The `yingxiao-server` binary: parses the command line and runs the chosen subcommand.

use std::process::ExitCode;

use anyhow::Context;
use clap::Parser;
use tracing_subscriber::{fmt, EnvFilter};
use yingxiao_core::{
    import::{ColumnMap, Defaults, ImportOptions, ReadOptions, ValueMap},
    VERSION,
};
use yingxiao_server::{
    admin, app,
    config::{
        Cli, Command, ImportArgs, ImportOrgArgs, LogFormat, SeedArgs, ServeArgs, UserCommand,
    },
    demo::{self, Day, DemoOptions, DemoSize},
    http::WebApp,
    maintenance,
    storage::Storage,
    AppState,
};

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_tracing(cli.log_format);
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("error: cannot start the async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async {
        match cli.command {
            Command::Serve(args) => serve(*args).await,
            Command::Migrate(storage) => {
                Storage::open(&storage).await?.close().await;
                println!("database is up to date");
                Ok(())
            }
            Command::User(command) => user(command).await,
            Command::Seed(args) => seed(args).await,
            Command::Import(args) => import(args).await,
            Command::ImportOrg(args) => import_org(args).await,
            Command::Backup(args) => {
                let storage = Storage::open(&args.storage).await?;
                let made = maintenance::backup(&storage, &args.to).await;
                storage.close().await;
                made?;
                println!("backed up to {}", args.to.display());
                Ok(())
            }
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn init_tracing(format: LogFormat) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = fmt().with_env_filter(filter).with_writer(std::io::stderr);
    match format {
        LogFormat::Text => builder.init(),
        LogFormat::Json => builder.json().init(),
    }
}

async fn serve(args: ServeArgs) -> anyhow::Result<()> {
    let open_files = yingxiao_server::serve::raise_open_file_limit();
    if let Some(limit) = open_files.filter(|&limit| limit < u64::from(args.max_connections) + 256) {
        tracing::warn!(
            open_file_limit = limit,
            max_connections = args.max_connections,
            "the open-file limit is close to the connection cap; lower --max-connections"
        );
    }
    let web = WebApp::load(&args.dist, args.base_path.clone())?
        .with_frame_ancestors(args.frame_ancestors.clone())
        .with_embedding(args.look.embed, args.look.brand()?);
    let header_sign_on = args.sign_on.header_sign_on()?;
    let oidc = args.sign_on.oidc()?;
    let web = web.with_sign_on(header_sign_on.is_some(), oidc.is_some());
    let storage = Storage::open(&args.storage).await?;
    let listener = yingxiao_server::serve::bind(args.addr)
        .with_context(|| format!("cannot listen on {}", args.addr))?;
    let addr = listener.local_addr()?;
    tracing::info!(
        version = VERSION,
        %addr,
        base_path = %args.base_path,
        database = ?storage.kind(),
        max_connections = args.max_connections,
        open_file_limit = ?open_files,
        trusted_proxies = ?args.trusted_proxies,
        "yingxiao-server listening"
    );
    println!(
        "Yingxiao 营销 {VERSION} is running at http://{addr}{}",
        args.base_path.root_href()
    );
    let router = app(AppState::new(storage.clone(), web)
        .with_trusted_proxies(args.trusted_proxies.clone())
        .with_header_sign_on(header_sign_on)
        .with_oidc(oidc));
    let housekeeping = maintenance::spawn(storage.clone(), maintenance::CHECKPOINT_EVERY);
    yingxiao_server::serve::serve(listener, router, args.serve_options(), shutdown_signal())
        .await
        .context("server stopped with an error")?;
    housekeeping.abort();
    storage.close().await;
    tracing::info!("yingxiao-server stopped");
    Ok(())
}

async fn import(args: ImportArgs) -> anyhow::Result<()> {
    use yingxiao_server::import::ApplyMode;
    if args.describe {
        print!("{}", yingxiao_core::import::describe(args.kind).text());
        return Ok(());
    }
    let file = args.file.context("name the file to import")?;
    let input = std::fs::read(&file).with_context(|| format!("cannot read {}", file.display()))?;
    let options = ImportOptions {
        columns: ColumnMap::parse(&args.map).map_err(|e| anyhow::anyhow!("--map: {e}"))?,
        values: ValueMap::parse(&args.values).map_err(|e| anyhow::anyhow!("--values: {e}"))?,
        defaults: Defaults::parse(&args.defaults).map_err(|e| anyhow::anyhow!("--set: {e}"))?,
        key: args.key.clone(),
        read: ReadOptions {
            delimiter: args.delimiter,
            encoding: args.encoding,
            sheet: args.sheet.clone(),
        },
        ..ImportOptions::new(args.kind, "")
    };
    let mode = match (args.dry_run, args.apply_valid) {
        (true, _) => ApplyMode::DryRun,
        (false, true) => ApplyMode::GoodRows,
        (false, false) => ApplyMode::AllOrNothing,
    };
    let storage = Storage::open(&args.storage).await?;
    let outcome = yingxiao_server::import::import_file(&storage, &input, options, mode).await;
    storage.close().await;
    let outcome = outcome?;
    print!("{}", yingxiao_server::import::render(&outcome, mode));
    if outcome.report.errors.is_empty() {
        return Ok(());
    }
    if mode == ApplyMode::GoodRows {
        let refused = args.refused.unwrap_or_else(|| {
            let mut name = file.file_stem().unwrap_or_default().to_os_string();
            name.push(".refused.csv");
            file.with_file_name(name)
        });
        let rows = yingxiao_core::import::refused_rows(
            &outcome.table,
            &outcome.report,
            yingxiao_core::locale::Locale::ZhCn,
        );
        std::fs::write(&refused, rows)
            .with_context(|| format!("cannot write {}", refused.display()))?;
        println!(
            "the {} refused rows, with why, are in {}",
            outcome.report.bad_lines().len(),
            refused.display()
        );
    }
    anyhow::bail!("{} problems in the file", outcome.report.errors.len())
}

async fn import_org(args: ImportOrgArgs) -> anyhow::Result<()> {
    let input = std::fs::read(&args.file)
        .with_context(|| format!("cannot read {}", args.file.display()))?;
    let storage = Storage::open(&args.storage).await?;
    let outcome = yingxiao_server::import::import_org(
        &storage,
        &input,
        args.accounts.as_deref(),
        args.dry_run,
    )
    .await;
    storage.close().await;
    let outcome = outcome?;
    print!(
        "{}",
        yingxiao_server::import::render_org(&outcome, args.dry_run)
    );
    match &outcome.result {
        Ok(_) => Ok(()),
        Err(problems) => anyhow::bail!("{} problems in the file", problems.len()),
    }
}

/// Reads a password from standard input (one line; a trailing newline is not part of it).
fn read_password() -> anyhow::Result<String> {
    let mut line = String::new();
    std::io::stdin()
        .read_line(&mut line)
        .context("cannot read the password from standard input")?;
    Ok(line.trim_end_matches(['\n', '\r']).to_owned())
}

async fn user(command: UserCommand) -> anyhow::Result<()> {
    match command {
        UserCommand::Add(args) => {
            let password = read_password()?;
            let storage = Storage::open(&args.storage).await?;
            let name = args.name.clone().unwrap_or_else(|| args.login.clone());
            let id = admin::add_user(
                &storage,
                admin::NewUser {
                    login: &args.login,
                    name: &name,
                    role: args.role,
                    unit: args.unit.as_deref(),
                    password: &password,
                },
            )
            .await?;
            storage.close().await;
            println!(
                "added user {} ({}) with id {id}",
                args.login,
                args.role.as_str()
            );
        }
        UserCommand::Disable { login, storage } => {
            let storage = Storage::open(&storage).await?;
            admin::disable_user(&storage, &login).await?;
            storage.close().await;
            println!("disabled {login}; their sessions have ended");
        }
        UserCommand::ResetPassword { login, storage, .. } => {
            let password = read_password()?;
            let storage = Storage::open(&storage).await?;
            admin::reset_password(&storage, &login, &password).await?;
            storage.close().await;
            println!("new password set for {login}; their sessions have ended");
        }
    }
    Ok(())
}

async fn seed(args: SeedArgs) -> anyhow::Result<()> {
    let options = DemoOptions {
        size: DemoSize::scaled(args.scale),
        seed: args.seed,
        as_of: args.as_of.unwrap_or_else(Day::today_in_shanghai),
        if_empty: args.if_empty,
    };
    let storage = Storage::open(&args.storage).await?;
    let started = std::time::Instant::now();
    let summary = demo::seed_demo(&storage, &options).await;
    storage.close().await;
    let summary = summary?;
    if summary.seeded {
        println!(
            "seeded the demo company {} (seed {}, scale {}, as of {}): {} records in {:.1} s",
            demo::COMPANY_NAME,
            options.seed,
            args.scale,
            options.as_of,
            summary.total(),
            started.elapsed().as_secs_f64()
        );
        for (collection, count) in &summary.counts {
            println!(
                "  {:<18} {count:>7}  {}",
                collection.as_str(),
                collection.label(yingxiao_core::locale::Locale::ZhCn)
            );
        }
    } else {
        println!("the database already has data; the demo company was not seeded");
    }
    if !summary.logins.is_empty() {
        println!();
        print!("{}", demo::logins_table(&summary.logins));
    }
    Ok(())
}

/// Resolves on SIGINT (Ctrl-C) or SIGTERM; in-flight requests then finish before the process exits.
async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::error!(%error, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(error) => {
                tracing::error!(%error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutdown requested; finishing in-flight requests");
}
