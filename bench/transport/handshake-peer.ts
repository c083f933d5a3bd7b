// Child process of the cross-process `transport.handshakes` benchmark: the other HandshakeEnd (side 1).
// argv: initiator count, then the parent end's responder port and initiator ports. Sends its own ports over IPC
// when ready, starts its initiators on "start", answers "count" with its HandshakeCounts, exits on disconnect.
import { HandshakeEnd } from './handshake-end.js';

const [initiators, responder, ...parentInitiators] = process.argv.slice(2).map(Number);
const end = await HandshakeEnd.open(1, initiators!);
end.pair({ responder: responder!, initiators: parentInitiators });
process.on('message', (m: unknown) => {
  if (m === 'count') process.send!(end.count());
  else if (m === 'start') end.start();
});
process.on('disconnect', () => {
  void end.close().then(() => process.exit(0));
});
process.send!(end.ports);
