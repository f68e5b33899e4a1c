//! Request body decoding for entity writes (temporary minimal version).
use quick_xml::events::Event;
use quick_xml::Reader;

pub struct InputDoc {
    pub entities: Vec<InputEntity>,
}
pub struct InputEntity {
    pub element: String,
    pub fields: Vec<(String, InputValue)>,
    pub associations: Option<Vec<InputAssoc>>,
}
pub enum InputValue {
    Text(String),
    Langs(Vec<(String, String)>),
}
pub struct InputAssoc {
    pub name: String,
    pub items: Vec<Vec<(String, String)>>,
}
#[derive(Debug, thiserror::Error)]
pub enum BodyError {
    #[error("String could not be parsed as XML")]
    Empty,
    #[error("{0}")]
    Malformed(String),
    #[error("DOCTYPE is not allowed")]
    DocType,
    #[error("too deep")]
    TooDeep,
    #[error("not an object")]
    NotAnObject,
}

#[derive(Default)]
struct Node {
    name: String,
    id: Option<String>,
    text: String,
    children: Vec<Node>,
}

fn local(n: &[u8]) -> String {
    let s = String::from_utf8_lossy(n);
    s.rsplit(':').next().unwrap_or("").to_string()
}

pub fn parse_xml(body: &[u8]) -> Result<InputDoc, BodyError> {
    if body.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(BodyError::Empty);
    }
    let mut r = Reader::from_reader(body);
    r.config_mut().check_end_names = true;
    let mut stack: Vec<Node> = vec![Node::default()];
    let mut buf = Vec::new();
    loop {
        match r.read_event_into(&mut buf) {
            Ok(Event::Start(e)) => {
                if stack.len() > 32 {
                    return Err(BodyError::TooDeep);
                }
                let mut n = Node {
                    name: local(e.name().as_ref()),
                    ..Node::default()
                };
                for a in e.attributes().flatten() {
                    if a.key.as_ref() == b"id" {
                        n.id = Some(String::from_utf8_lossy(&a.value).into_owned());
                    }
                }
                stack.push(n);
            }
            Ok(Event::Empty(e)) => {
                let mut n = Node {
                    name: local(e.name().as_ref()),
                    ..Node::default()
                };
                for a in e.attributes().flatten() {
                    if a.key.as_ref() == b"id" {
                        n.id = Some(String::from_utf8_lossy(&a.value).into_owned());
                    }
                }
                if let Some(top) = stack.last_mut() {
                    top.children.push(n);
                }
            }
            Ok(Event::End(_)) => {
                let n = stack
                    .pop()
                    .ok_or_else(|| BodyError::Malformed("unbalanced".into()))?;
                match stack.last_mut() {
                    Some(top) => top.children.push(n),
                    None => return Err(BodyError::Malformed("unbalanced".into())),
                }
            }
            Ok(Event::Text(t)) => {
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(
                        &t.decode()
                            .map_err(|e| BodyError::Malformed(e.to_string()))?,
                    );
                }
            }
            Ok(Event::CData(t)) => {
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&String::from_utf8_lossy(&t));
                }
            }
            Ok(Event::GeneralRef(g)) => {
                let name = String::from_utf8_lossy(&g).into_owned();
                let s = match name.as_str() {
                    "amp" => "&".to_string(),
                    "lt" => "<".into(),
                    "gt" => ">".into(),
                    "quot" => "\"".into(),
                    "apos" => "'".into(),
                    n if n.starts_with("#x") => u32::from_str_radix(&n[2..], 16)
                        .ok()
                        .and_then(char::from_u32)
                        .map(String::from)
                        .ok_or_else(|| BodyError::Malformed("bad ref".into()))?,
                    n if n.starts_with('#') => n[1..]
                        .parse::<u32>()
                        .ok()
                        .and_then(char::from_u32)
                        .map(String::from)
                        .ok_or_else(|| BodyError::Malformed("bad ref".into()))?,
                    _ => return Err(BodyError::Malformed(format!("unknown entity &{name};"))),
                };
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&s);
                }
            }
            Ok(Event::DocType(_)) => return Err(BodyError::DocType),
            Ok(Event::Eof) => break,
            Ok(_) => {}
            Err(e) => return Err(BodyError::Malformed(e.to_string())),
        }
        buf.clear();
    }
    if stack.len() != 1 {
        return Err(BodyError::Malformed("unexpected end of document".into()));
    }
    let doc = stack.pop().unwrap_or_default();
    let Some(root) = doc.children.into_iter().next() else {
        return Err(BodyError::Empty);
    };
    let mut entities = Vec::new();
    for ent in root.children {
        let mut fields = Vec::new();
        let mut associations = None;
        for f in ent.children {
            if f.name == "associations" {
                let mut list = Vec::new();
                for a in f.children {
                    if a.name == "i18n" {
                        continue;
                    }
                    let items = a
                        .children
                        .into_iter()
                        .map(|it| it.children.into_iter().map(|s| (s.name, s.text)).collect())
                        .collect();
                    list.push(InputAssoc {
                        name: a.name,
                        items,
                    });
                }
                associations = Some(list);
            } else if f.children.iter().any(|c| c.name == "language") {
                fields.push((
                    f.name,
                    InputValue::Langs(
                        f.children
                            .into_iter()
                            .filter(|c| c.name == "language")
                            .map(|c| (c.id.unwrap_or_default(), c.text))
                            .collect(),
                    ),
                ));
            } else if f.children.is_empty() {
                fields.push((f.name, InputValue::Text(f.text)));
            }
        }
        entities.push(InputEntity {
            element: ent.name,
            fields,
            associations,
        });
    }
    Ok(InputDoc { entities })
}

fn scalar(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Bool(b) => {
            if *b {
                "1".into()
            } else {
                "0".into()
            }
        }
        serde_json::Value::Null => String::new(),
        other => other.to_string(),
    }
}

fn entity(name: &str, o: &serde_json::Map<String, serde_json::Value>) -> InputEntity {
    let mut fields = Vec::new();
    let mut associations = None;
    for (k, v) in o {
        if k == "associations" {
            if let Some(m) = v.as_object() {
                associations = Some(
                    m.iter()
                        .map(|(an, items)| InputAssoc {
                            name: an.clone(),
                            items: items
                                .as_array()
                                .map(|a| {
                                    a.iter()
                                        .filter_map(|i| i.as_object())
                                        .map(|i| {
                                            i.iter().map(|(k, v)| (k.clone(), scalar(v))).collect()
                                        })
                                        .collect()
                                })
                                .unwrap_or_default(),
                        })
                        .collect(),
                );
            }
            continue;
        }
        match v {
            serde_json::Value::Array(a) => fields.push((
                k.clone(),
                InputValue::Langs(
                    a.iter()
                        .filter_map(|x| x.as_object())
                        .map(|x| {
                            (
                                x.get("id").map(scalar).unwrap_or_default(),
                                x.get("value").map(scalar).unwrap_or_default(),
                            )
                        })
                        .collect(),
                ),
            )),
            serde_json::Value::Object(_) => {}
            other => fields.push((k.clone(), InputValue::Text(scalar(other)))),
        }
    }
    InputEntity {
        element: name.to_string(),
        fields,
        associations,
    }
}

pub fn parse_json(body: &[u8], singular: &str, plural: &str) -> Result<InputDoc, BodyError> {
    let v: serde_json::Value =
        serde_json::from_slice(body).map_err(|e| BodyError::Malformed(e.to_string()))?;
    let v = v.get("prestashop").cloned().unwrap_or(v);
    let o = v.as_object().ok_or(BodyError::NotAnObject)?;
    if let Some(e) = o.get(singular).and_then(|e| e.as_object()) {
        return Ok(InputDoc {
            entities: vec![entity(singular, e)],
        });
    }
    if let Some(a) = o.get(plural).and_then(|e| e.as_array()) {
        return Ok(InputDoc {
            entities: a
                .iter()
                .filter_map(|e| e.as_object())
                .map(|e| entity(singular, e))
                .collect(),
        });
    }
    Ok(InputDoc {
        entities: vec![entity(singular, o)],
    })
}
