"""Calls the orchestrator through the official `openai` Python client, as an application would:
lists the models, asks one chat completion, streams one with usage, sends content parts, and
checks that an unknown model is a NotFoundError and a made-up key an AuthenticationError. Exits 1
on the first check that fails."""
import os
import sys

import openai

base_url, model, prompt = sys.argv[1:4]
api_key = os.environ.get("MOE2_API_KEY")
if not api_key:
    sys.exit("error: set MOE2_API_KEY to a client key (scripts/credentials add-key --role client)")


def fail(what):
    print(f"error: {what}", file=sys.stderr)
    sys.exit(1)


client = openai.OpenAI(base_url=base_url, api_key=api_key, max_retries=0)
print("models:", ", ".join(m.id for m in client.models.list().data))

r = client.chat.completions.create(
    model=model, messages=[{"role": "user", "content": prompt}], max_tokens=32
)
if r.usage is None or r.usage.total_tokens <= 0:
    fail("a completion without usage")
print(f"completion ({r.model}, finish {r.choices[0].finish_reason}):", r.choices[0].message.content)

text, usage, finish = "", None, None
for chunk in client.chat.completions.create(
    model=model,
    messages=[{"role": "user", "content": prompt}],
    max_tokens=32,
    stream=True,
    stream_options={"include_usage": True},
):
    if chunk.choices:
        text += chunk.choices[0].delta.content or ""
        finish = chunk.choices[0].finish_reason or finish
    if chunk.usage:
        usage = chunk.usage
if usage is None:
    fail("a stream with include_usage but no usage chunk")
if finish is None:
    fail("a stream without a finish_reason")
print(f"stream (finish {finish}, usage {usage.total_tokens} tokens):", text)

parts = client.chat.completions.create(
    model=model,
    messages=[
        {"role": "developer", "content": "Answer briefly."},
        {"role": "user", "content": [{"type": "text", "text": prompt}, {"type": "text", "text": "One word."}]},
    ],
    max_tokens=16,
)
print(f"content parts (finish {parts.choices[0].finish_reason}):", parts.choices[0].message.content)

try:
    client.chat.completions.create(model="no-such-model", messages=[{"role": "user", "content": "x"}])
    fail("an unknown model was accepted")
except openai.NotFoundError as e:
    print(f"unknown model: {e.status_code} {e.code} (NotFoundError)")
try:
    openai.OpenAI(base_url=base_url, api_key="moe2_aaaaaaaaaa_" + "A" * 43, max_retries=0).models.list()
    fail("a made-up key was accepted")
except openai.AuthenticationError as e:
    print(f"a made-up key: {e.status_code} {e.code} (AuthenticationError)")
print("openai-client: all checks passed")
