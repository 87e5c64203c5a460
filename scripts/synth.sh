#!/usr/bin/env bash
# `npm run synth`: cdktf synth with nothing on the console that is not about the stacks.
set -euo pipefail
# cdktf asks checkpoint-api.hashicorp.com for news at every run: an error offline, and never needed.
export CHECKPOINT_DISABLE=1
# cdktf runs terraform (for its version) during synth; a TF_CLI_CONFIG_FILE that names a missing
# file makes each of those calls print a red error. Synth reads no CLI configuration.
if [ -n "${TF_CLI_CONFIG_FILE:-}" ] && [ ! -e "$TF_CLI_CONFIG_FILE" ]; then unset TF_CLI_CONFIG_FILE; fi
exec cdktf synth "$@"
