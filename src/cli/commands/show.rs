//! `agentctl describe|template|inputs`: what a template holds and what its inputs make,
//! without sending anything.

use prost::Message as _;

use super::super::Context;
use super::super::args::{DescribeArgs, Format, InputsArgs, ProtoFormat, TemplateArgs};
use super::collect_inputs;
use crate::error::Result;
use crate::wire::Wire;
use crate::{describe as text, json, literal};

pub fn describe(ctx: &Context, a: DescribeArgs) -> Result<u8> {
    let l = ctx.template()?;
    match a.format {
        Format::Human => ctx.printer.out(&text::to_text(l)),
        Format::Json => ctx.printer.json(&text::to_json(l)),
    }
}

pub fn template(ctx: &Context, a: TemplateArgs) -> Result<u8> {
    let l = ctx.template()?;
    match a.format {
        // each generation's own JSON: Flyte 1 maps, Flyte 2 lists; a mixed-sign timeout read
        // as `describe` reads it (the binary form keeps the file's bytes)
        ProtoFormat::Json => match l.generation {
            Wire::V1 => {
                let mut t = l.sendable.view.clone();
                if let Some(d) = t.metadata.as_mut().and_then(|m| m.timeout.as_mut()) {
                    *d = literal::normalize_duration(d);
                }
                ctx.printer.out(&json::to_string_pretty(&t))
            }
            Wire::V2 => {
                let mut t = l.sendable.full.clone();
                if let Some(d) = t.metadata.as_mut().and_then(|m| m.timeout.as_mut()) {
                    *d = literal::normalize_duration(d);
                }
                ctx.printer.out(&json::to_string_pretty(&t))
            }
        },
        ProtoFormat::Pb => ctx.printer.out_bytes(&l.sendable.encode_to_vec()),
    }
}

pub fn inputs(ctx: &Context, a: InputsArgs) -> Result<u8> {
    let l = ctx.template()?;
    let map = collect_inputs(l, &a.inputs, ctx.matches.as_ref())?;
    match a.format {
        ProtoFormat::Json => ctx.printer.out(&json::to_string_pretty(&map)),
        ProtoFormat::Pb => ctx.printer.out_bytes(&map.encode_to_vec()),
    }
}
