"""Calls the orchestrator through the official `openai` Python client, as an application would:
lists the models, asks one chat completion, and checks that a made-up key is refused."""
import os
import sys

import openai

base_url, model, prompt = sys.argv[1:4]
api_key = os.environ.get("MOE2_API_KEY")
if not api_key:
    sys.exit("error: set MOE2_API_KEY to a client key (scripts/credentials add-key --role client)")
client = openai.OpenAI(base_url=base_url, api_key=api_key, max_retries=0)
print("models:", ", ".join(m.id for m in client.models.list().data))
r = client.chat.completions.create(
    model=model, messages=[{"role": "user", "content": prompt}], max_tokens=32
)
print(f"answer ({r.model}, finish {r.choices[0].finish_reason}):", r.choices[0].message.content)
try:
    openai.OpenAI(base_url=base_url, api_key="moe2_aaaaaaaaaa_" + "A" * 43, max_retries=0).models.list()
    sys.exit("error: a made-up key was accepted")
except openai.AuthenticationError as e:
    print(f"a made-up key: {e.status_code} {e.code} (AuthenticationError)")
