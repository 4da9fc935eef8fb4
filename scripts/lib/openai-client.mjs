// Calls the orchestrator through the official `openai` npm client, as an application would: lists
// the models, asks one chat completion, streams one with usage, sends content parts, and checks
// that an unknown model is a NotFoundError and a made-up key an AuthenticationError. Exits 1 on
// the first check that fails.
import OpenAI from 'openai';

const [baseURL, model, prompt] = process.argv.slice(2);
const apiKey = process.env.MOE2_API_KEY;
if (!apiKey) {
  console.error('error: set MOE2_API_KEY to a client key (scripts/credentials add-key --role client)');
  process.exit(2);
}
const fail = (what) => {
  console.error(`error: ${what}`);
  process.exit(1);
};
const client = new OpenAI({ baseURL, apiKey, maxRetries: 0 });
const models = await client.models.list();
console.log('models:', models.data.map((m) => m.id).join(', '));

const r = await client.chat.completions.create({
  model,
  messages: [{ role: 'user', content: prompt }],
  max_tokens: 32,
});
if (!r.usage || r.usage.total_tokens <= 0) fail('a completion without usage');
console.log(`completion (${r.model}, finish ${r.choices[0].finish_reason}, ${r.usage.total_tokens} tokens):`, r.choices[0].message.content);

const stream = await client.chat.completions.create({
  model,
  messages: [{ role: 'user', content: prompt }],
  max_tokens: 32,
  stream: true,
  stream_options: { include_usage: true },
});
let text = '';
let usage = null;
let finish = null;
for await (const chunk of stream) {
  if (chunk.choices.length > 0) {
    text += chunk.choices[0].delta?.content ?? '';
    finish = chunk.choices[0].finish_reason ?? finish;
  }
  if (chunk.usage) usage = chunk.usage;
}
if (!usage) fail('a stream with include_usage but no usage chunk');
if (!finish) fail('a stream without a finish_reason');
console.log(`stream (finish ${finish}, usage ${usage.total_tokens} tokens):`, text);

const parts = await client.chat.completions.create({
  model,
  messages: [
    { role: 'developer', content: 'Answer briefly.' },
    { role: 'user', content: [{ type: 'text', text: prompt }, { type: 'text', text: 'One word.' }] },
  ],
  max_tokens: 16,
});
console.log(`content parts (finish ${parts.choices[0].finish_reason}):`, parts.choices[0].message.content);

try {
  await client.chat.completions.create({ model: 'no-such-model', messages: [{ role: 'user', content: 'x' }] });
  fail('an unknown model was accepted');
} catch (e) {
  if (!(e instanceof OpenAI.NotFoundError)) fail(`an unknown model gave ${e.constructor.name} ${e.status}`);
  console.log(`unknown model: ${e.status} ${e.error?.code ?? e.code} (${e.constructor.name})`);
}
try {
  await new OpenAI({ baseURL, apiKey: 'moe2_aaaaaaaaaa_' + 'A'.repeat(43), maxRetries: 0 }).models.list();
  fail('a made-up key was accepted');
} catch (e) {
  if (!(e instanceof OpenAI.AuthenticationError)) fail(`a made-up key gave ${e.constructor.name}`);
  console.log(`a made-up key: ${e.status} ${e.error?.code ?? e.code} (${e.constructor.name})`);
}
console.log('openai-client: all checks passed');
