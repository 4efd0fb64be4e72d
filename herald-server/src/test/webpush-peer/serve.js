// Runs web-push-testing's push service for WebPushTestingServiceTest: on 127.0.0.1 only, on a
// port the OS picks, printing "listening <port>" once it accepts connections. Its own CLI
// (`web-push-testing start`) would listen on every interface, detach, and keep the PID in a
// file of its own; the test needs a child it stops by PID. Exits when stdin closes, so a JVM
// that dies does not leave it running.
const WebPushTestingServer = require('web-push-testing/src/server.js');
const {PushApiModel} = require('web-push-testing/src/PushApiModel.js');

const model = new PushApiModel();
const service = new WebPushTestingServer(model, 0);
service.setRequestHandlers();
const listener = service._app.listen(0, '127.0.0.1', () => {
  const {port} = listener.address();
  model.notifyUrl = `http://127.0.0.1:${port}/notify/`;
  console.log(`listening ${port}`);
});
listener.on('error', err => {
  console.error(err);
  process.exit(1);
});
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
