import { createServer } from 'node:http';
import { checkBalance, listening, port } from './context.mjs';

/**
 * The least any server in front of the voice vendor can do: `node:http` reads the request,
 * undici makes the same `checkBalance` call, and the balance goes back in a GraphQL-shaped
 * reply. No GraphQL and no checks: what the extra process hop alone costs.
 */
const balance = checkBalance(process.env.VOICE_OTP_URL);
const server = createServer((req, res) => {
  req.resume();
  req.on('end', async () => {
    const reading = await balance();
    res
      .writeHead(200, { 'content-type': 'application/json; charset=utf-8' })
      .end(JSON.stringify({ data: { voiceOtpBalance: { balance: reading.balance } } }));
  });
});
server.listen(port(), '127.0.0.1', () => listening(server));
