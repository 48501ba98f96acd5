use clap::Parser;
use sync_server::{Cli, Command, Relay, serve};
use tokio::net::TcpListener;
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")))
        .with_writer(std::io::stderr)
        .init();
    match Cli::parse().command {
        Command::Serve(args) => {
            let relay = Relay::open(&args)?;
            let listener = TcpListener::bind(args.listen).await?;
            let addr = listener.local_addr()?;
            for d in &relay.demo {
                let note = if d.code_confirmed {
                    ""
                } else {
                    " (kode belum dikonfirmasi / code unconfirmed)"
                };
                println!("demo document  {:<40} {}{note}  {}", d.label, d.code, d.doc_id);
            }
            // Tests and scripts read this line to find the port.
            println!("listening on http://{addr}");
            serve(listener, relay, sync_server::server::shutdown_signal()).await
        }
    }
}
