import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadImage } from '../../core/config/image.js';
import { UserError } from '../../core/diagnostics/diagnostic.js';
import { parseYamlText } from '../../core/metadata/yaml.js';

// An image's `checks:` as testimage gets them: `via: ssh` marks a check run
// in an SSH login from the host; anything else is an error at the value.

const load = (text: string) => loadImage('/layer/images/img.yaml', (file) => parseYamlText(file, text));

test('checks keep their channel; the default is the console', () => {
  const img = load(
    'install: [a]\nchecks:\n  - run: uname -m\n  - name: login\n    via: ssh\n    run: id -un\n    expect: root\n  - run: "true"\n    via: console\n',
  );
  assert.equal(
    img.checks.map((c) => [c.name, c.via]),
    [
      ['uname -m', undefined],
      ['login', 'ssh'],
      ['true', 'console'],
    ],
  );
});

test('an unknown channel is an error at its value, naming the known ones', () => {
  try {
    load('install: [a]\nchecks:\n  - run: id\n    via: telnet\n');
    assert.unreachable('loaded');
  } catch (e) {
    assert.instance(e, UserError);
    const d = (e as UserError).diagnostics[0];
    assert.is(d.code, 'schema-value');
    assert.match(d.message, 'via: expected one of console, ssh, found string "telnet"');
    assert.equal([d.location?.line, d.location?.column], [4, 10]);
  }
});

test.run();
