//! `bare PORT FILE CONTENT-TYPE`: serves FILE's bytes to every request, with nothing else —
//! the ceiling shopws is measured against (same bytes, same machine, same load generator).

use std::convert::Infallible;
use std::net::SocketAddr;

use bytes::Bytes;
use http_body_util::Full;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let port: u16 = args.get(1).ok_or("PORT")?.parse()?;
    let body = Bytes::from(std::fs::read(args.get(2).ok_or("FILE")?)?);
    let ctype = args.get(3).cloned().unwrap_or_else(|| "text/xml;charset=UTF-8".into());
    let listener = TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], port))).await?;
    loop {
        let (stream, _) = listener.accept().await?;
        let (body, ctype) = (body.clone(), ctype.clone());
        tokio::spawn(async move {
            let svc = service_fn(move |_req: Request<hyper::body::Incoming>| {
                let (body, ctype) = (body.clone(), ctype.clone());
                async move {
                    let mut r = Response::new(Full::new(body));
                    if let Ok(v) = ctype.parse() {
                        r.headers_mut().insert("content-type", v);
                    }
                    Ok::<_, Infallible>(r)
                }
            });
            let _ = http1::Builder::new()
                .serve_connection(TokioIo::new(stream), svc)
                .await;
        });
    }
}
