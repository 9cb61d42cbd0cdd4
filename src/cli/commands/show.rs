//! `agentctl describe|template|inputs`: what a template holds and what its inputs make,
//! without sending anything.

use prost::Message as _;

use super::super::Context;
use super::super::args::{DescribeArgs, Format, InputsArgs, ProtoFormat, TemplateArgs};
use super::collect_inputs;
use crate::error::Result;
use crate::wire::Wire;
use crate::{describe as text, json};

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
        // each generation's own JSON: Flyte 1 maps, Flyte 2 lists
        ProtoFormat::Json => match l.generation {
            Wire::V1 => ctx.printer.out(&json::to_string_pretty(&l.sendable.view)),
            Wire::V2 => ctx.printer.out(&json::to_string_pretty(&l.sendable.full)),
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
