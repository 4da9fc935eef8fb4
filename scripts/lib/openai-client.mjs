// Calls the orchestrator through the official `openai` npm client, as an application would:
// lists the models, then asks one chat completion (and one without a key, which must be refused).
import OpenAI from 'openai';

const [baseURL, model, prompt] = process.argv.slice(2);
const apiKey = process.env.MOE2_API_KEY;
if (!apiKey) {
  console.error('error: set MOE2_API_KEY to a client key (scripts/credentials add-key --role client)');
  process.exit(2);
}
const client = new OpenAI({ baseURL, apiKey, maxRetries: 0 });
const models = await client.models.list();
console.log('models:', models.data.map((m) => m.id).join(', '));
const r = await client.chat.completions.create({
  model,
  messages: [{ role: 'user', content: prompt }],
  max_tokens: 32,
});
console.log(`answer (${r.model}, finish ${r.choices[0].finish_reason}):`, r.choices[0].message.content);
try {
  await new OpenAI({ baseURL, apiKey: 'moe2_aaaaaaaaaa_' + 'A'.repeat(43), maxRetries: 0 }).models.list();
  console.error('error: a made-up key was accepted');
  process.exit(1);
} catch (e) {
  console.log(`a made-up key: ${e.status} ${e.error?.code ?? e.code} (${e.constructor.name})`);
}
