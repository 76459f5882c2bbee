import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { UsageError } from '../errors.js';
import { describeLocation, parseLocation } from './location.js';
import { checkTransport, isLoopback } from './transport-policy.js';

describe('parseLocation', () => {
  test('paths and local:', () => {
    assert.deepEqual(parseLocation('/mnt/backup'), { kind: 'local', path: '/mnt/backup' });
    assert.deepEqual(parseLocation('relative/dir'), { kind: 'local', path: 'relative/dir' });
    assert.deepEqual(parseLocation('local:/srv/repo'), { kind: 'local', path: '/srv/repo' });
    assert.deepEqual(parseLocation('C:\\backups'), { kind: 'local', path: 'C:\\backups' });
  });

  test('s3://bucket[/prefix] is Amazon S3', () => {
    assert.deepEqual(parseLocation('s3://my-backups'), { kind: 's3', endpoint: undefined, bucket: 'my-backups', prefix: '' });
    assert.deepEqual(parseLocation('s3://my.backups/hosts/web1/'), { kind: 's3', endpoint: undefined, bucket: 'my.backups', prefix: 'hosts/web1' });
    assert.equal(describeLocation(parseLocation('s3://my-backups/p')), 's3://my-backups/p');
  });

  test('s3:https://host[:port]/bucket[/prefix] is an S3-compatible endpoint', () => {
    const location = parseLocation('s3:https://minio.example.com:9000/Backups_1/coffer');
    assert.ok(location.kind === 's3');
    assert.equal(location.endpoint?.href, 'https://minio.example.com:9000/');
    assert.equal(location.bucket, 'Backups_1');
    assert.equal(location.prefix, 'coffer');
    assert.equal(describeLocation(location), 's3:https://minio.example.com:9000/Backups_1/coffer');
  });

  test('azure:container[/prefix]', () => {
    assert.deepEqual(parseLocation('azure:backups'), { kind: 'azure', container: 'backups', prefix: '' });
    assert.deepEqual(parseLocation('azure:backups/host-a/x'), { kind: 'azure', container: 'backups', prefix: 'host-a/x' });
    assert.equal(describeLocation(parseLocation('azure:backups/p')), 'azure:backups/p');
  });

  test('bad locations are usage errors naming the location and the problem', () => {
    const cases: [string, RegExp][] = [
      ['ftp://host/x', /repository ftp:\/\/host\/x: unknown scheme "ftp:"/],
      ['s3:bucket', /expected s3:\/\/bucket\[\/prefix\] for Amazon S3, or s3:https:/],
      ['s3://', /"" is not a valid S3 bucket name/],
      ['s3://Upper_Case', /"Upper_Case" is not a valid S3 bucket name/],
      ['s3:https://host.example.com', /no bucket/],
      ['s3:https://key:secret@host.example.com/b', /credentials do not belong in the location/],
      ['s3:https://host.example.com/b?x=1', /must not have a query/],
      ['s3:https://host.example.com/b/../x', /bad prefix segment/],
      ['s3://bucket/a//b', /bad prefix segment ""/],
      ['azure:UPPER', /"UPPER" is not a valid Azure container name/],
      ['azure:a--b', /not a valid Azure container name/],
      ['azure://container', /expected azure:container\[\/prefix\]/],
      ['azure:backups/has space', /bad prefix segment "has space"/],
    ];
    for (const [location, message] of cases) {
      assert.throws(() => parseLocation(location), (error: unknown) => {
        assert.ok(error instanceof UsageError, `${location}: ${String(error)}`);
        assert.match(error.message, message, location);
        return true;
      });
    }
  });
});

describe('transport policy', () => {
  test('loopback names and addresses', () => {
    for (const host of ['localhost', 'LOCALHOST', 'minio.localhost', '127.0.0.1', '127.1.2.3', '[::1]', '::1', '[::ffff:7f00:1]']) assert.ok(isLoopback(host), host);
    for (const host of ['example.com', '10.0.0.1', '128.0.0.1', '[::2]', 'localhost.example.com', '0.0.0.0']) assert.ok(!isLoopback(host), host);
  });

  test('https always; http only to loopback or when allowed; nothing else', () => {
    checkTransport(new URL('https://s3.example.com'), false, 'repository x');
    checkTransport(new URL('http://127.0.0.1:9000'), false, 'repository x');
    checkTransport(new URL('http://s3.lan:9000'), true, 'repository x');
    assert.throws(() => checkTransport(new URL('http://s3.lan:9000'), false, 'repository x'),
      /^UsageError: repository x: plain http to s3\.lan:9000 refused; use https, or --insecure-http/);
    assert.throws(() => checkTransport(new URL('ftp://s3.lan'), true, 'repository x'), /unsupported protocol ftp:/);
  });
});
