import { describe, expect, it } from 'vitest';
import { checkApiKeyFormat } from './api-key.js';

describe('API key shape', () => {
	it('accepts an sk-ant- key and trims the whitespace around it', () => {
		expect(checkApiKeyFormat('  sk-ant-test-abc123 \n')).toEqual({
			ok: true,
			key: 'sk-ant-test-abc123'
		});
	});

	it('refuses what cannot be a key, in words', () => {
		expect(checkApiKeyFormat('')).toEqual({ ok: false, error: 'Enter your Anthropic API key.' });
		expect(checkApiKeyFormat('hello')).toMatchObject({ ok: false, error: /start with "sk-ant-"/ });
		expect(checkApiKeyFormat('sk-ant-has spaces')).toMatchObject({ ok: false });
		expect(checkApiKeyFormat('sk-ant-é')).toMatchObject({ ok: false });
		expect(checkApiKeyFormat(`sk-ant-${'x'.repeat(500)}`)).toMatchObject({ ok: false });
	});
});
