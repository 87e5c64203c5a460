import { findSecrets, SecretHit } from "../constructs/guardrails";

// Fake but format-valid credentials, built by concatenation so this file does not itself look like a leak.
const FAKE = {
  github: "gh" + "p_" + "a".repeat(36),
  githubOAuth: "gh" + "o_" + "B1".repeat(18),
  githubFineGrained: "github" + "_pat_" + "11AAAAAAA0".repeat(3),
  openai: "s" + "k-" + "a".repeat(24),
  openaiProject: "s" + "k-proj-" + "Ab_-".repeat(10),
  slack: "xo" + "xb-" + "1234567890-abcdef",
  aws: "AK" + "IA" + "ABCDEFGHIJ234567",
  awsSession: "AS" + "IA" + "ABCDEFGHIJ234567",
  pem: "-----BEGIN " + "PRIVATE KEY-----\nMIIEvQ==\n-----END PRIVATE KEY-----",
  pemRsa: "-----BEGIN RSA " + "PRIVATE KEY-----\nMIIEpA==\n-----END RSA PRIVATE KEY-----",
  pemEc: "-----BEGIN EC " + "PRIVATE KEY-----\nMHcC\n-----END EC PRIVATE KEY-----",
  pemOpenSsh: "-----BEGIN OPENSSH " + "PRIVATE KEY-----\nb3Bl\n-----END OPENSSH PRIVATE KEY-----",
  storage: "DefaultEndpointsProtocol=https;AccountName=acct;Account" + "Key=ZmFrZQ==;EndpointSuffix=core.windows.net",
  serviceBus: "Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=send;SharedAccess" + "Key=ZmFrZQ==",
  sas: "https://acct.blob.core.windows.net/c?sv=2022-11-02&sp=r&si" + "g=ZmFrZQ%3D",
};
const SSH_PUBLIC_KEYS = [
  "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKz9" + "x".repeat(40) + " ops@example",
  "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQ" + "y".repeat(300) + " ops@example",
];

/** A stack with one web app, shaped like cdk.tf.json. */
const webApp = (config: Record<string, unknown>) => ({
  resource: { azurerm_linux_web_app: { app: { name: "app", ...config } } },
});
const app = (appSettings: Record<string, string>) => webApp({ app_settings: appSettings });
const wheres = (hits: SecretHit[]) => hits.map((h) => `${h.address} ${h.where}`);

describe("findSecrets: what IG019 finds today", () => {
  it("app settings holding a connection-string secret or a secret attribute", () => {
    const hits = findSecrets(
      app({
        STORAGE: FAKE.storage,
        DB: "Server=db;Password=hunter2",
        KEY: "${azurerm_storage_account.s.primary_access_key}",
        QUEUE: "orders",
      }),
    );
    expect(hits).toEqual([
      { address: "azurerm_linux_web_app.app", where: "app_settings.DB", what: "a password in a connection string" },
      {
        address: "azurerm_linux_web_app.app",
        where: "app_settings.KEY",
        what: "a secret attribute (azurerm_storage_account.s.primary_access_key)",
      },
      {
        address: "azurerm_linux_web_app.app",
        where: "app_settings.STORAGE",
        what: "a storage account key in a connection string",
      },
    ]);
  });

  it("connection_string blocks unless they are Key Vault references", () => {
    const hits = findSecrets(
      webApp({
        connection_string: [
          { name: "Db", type: "SQLAzure", value: "Server=db;Password=hunter2" },
          {
            name: "Kv",
            type: "SQLAzure",
            value: "@Microsoft.KeyVault(SecretUri=https://orders-kv.vault.azure.net/secrets/db/)",
          },
        ],
      }),
    );
    expect(hits).toEqual([
      {
        address: "azurerm_linux_web_app.app",
        where: "connection_string.Db",
        what: "a connection string not from Key Vault",
      },
    ]);
  });

  it("storage keys, registry passwords and container secrets, whatever their value", () => {
    const stack = {
      resource: {
        azurerm_linux_function_app: {
          fn: {
            storage_account_access_key: "${azurerm_storage_account.s.primary_access_key}",
            site_config: [{ application_stack: [{ docker_registry_password: "${var.pw}" }] }],
          },
        },
        azurerm_container_group: {
          cg: {
            image_registry_credential: [{ server: "acr.azurecr.io", username: "u", password: "${var.pw}" }],
            container: [
              {
                name: "api",
                environment_variables: { STORAGE: FAKE.storage, MODE: "prod" },
                secure_environment_variables: { X: "${var.x}" },
              },
              { name: "sidecar", environment_variables: { PORT: "8080" } },
            ],
          },
        },
        azurerm_container_app: {
          ca: {
            template: [
              {
                container: [
                  {
                    name: "web",
                    env: [
                      { name: "CONN", value: "${azurerm_servicebus_namespace.n.default_primary_connection_string}" },
                      { name: "DB_PASSWORD", secret_name: "db" },
                    ],
                  },
                ],
              },
            ],
            secret: [
              { name: "literal", value: "${var.pw}" },
              { name: "from-vault", key_vault_secret_id: "${azurerm_key_vault_secret.s.id}", identity: "System" },
            ],
          },
        },
      },
    };
    expect(wheres(findSecrets(stack))).toEqual([
      "azurerm_container_app.ca secret.literal",
      "azurerm_container_app.ca template.container.web.env.CONN",
      "azurerm_container_group.cg container.api.environment_variables.STORAGE",
      "azurerm_container_group.cg container.api.secure_environment_variables.X",
      "azurerm_container_group.cg image_registry_credential.acr.azurecr.io.password",
      "azurerm_linux_function_app.fn site_config.application_stack.docker_registry_password",
      "azurerm_linux_function_app.fn storage_account_access_key",
    ]);
  });
});

describe("findSecrets: literal values in settings named like secrets", () => {
  const NAMED = "a literal value in a setting named like a secret";

  it.each([
    "DB_PASSWORD",
    "dbPassword",
    "Db.Passwd",
    "SMTP_PWD",
    "client-secret",
    "GITHUB_TOKEN",
    "ApiKey",
    "API_KEY",
    "APIKey",
    "STORAGE_ACCESS_KEY",
    "accessKey",
    "PRIVATE_KEY",
    "Db__ConnectionString",
    "CONNECTION_STRING",
    "REDIS_CONNSTR",
    "BLOB_SAS",
    "SmtpCredentials",
    "Feed__credential",
  ])("%s", (name) => {
    expect(findSecrets(app({ [name]: "hunter2" }))).toEqual([
      { address: "azurerm_linux_web_app.app", where: `app_settings.${name}`, what: NAMED },
    ]);
  });

  it("in container environment variables, container app env and tags of any resource", () => {
    const stack = {
      resource: {
        azurerm_container_group: {
          cg: { container: [{ name: "api", environment_variables: { ADMIN_PASSWORD: "hunter2" } }] },
        },
        azurerm_container_app: {
          ca: { template: { container: [{ name: "web", env: [{ name: "SlackToken", value: "hunter2" }] }] } },
        },
        azurerm_storage_account: { s: { tags: { "deploy-token": "hunter2", owner: "team" } } },
      },
      data: { azurerm_resource_group: { rg: { tags: { secret: "hunter2" } } } },
    };
    expect(findSecrets(stack)).toEqual([
      { address: "azurerm_container_app.ca", where: "template.container.web.env.SlackToken", what: NAMED },
      {
        address: "azurerm_container_group.cg",
        where: "container.api.environment_variables.ADMIN_PASSWORD",
        what: NAMED,
      },
      { address: "azurerm_storage_account.s", where: "tags.deploy-token", what: NAMED },
      { address: "data.azurerm_resource_group.rg", where: "tags.secret", what: NAMED },
    ]);
  });

  it.each([
    "KEY_VAULT_SECRET_NAME",
    "TOKEN_AUDIENCE",
    "TOKEN_URL",
    "SECRET_URI",
    "SECRETS_PATH",
    "PASSWORD_FILE",
    "TOKEN_ENDPOINT",
    "TOKEN_HOST",
    "SECRET_VERSION",
    "TOKEN_SCOPE",
    "CREDENTIAL_TYPE",
    "TOKEN_HEADER",
    "CLIENT_SECRET_ID",
  ])("not %s: its last word says the value only points at the secret", (name) =>
    expect(findSecrets(app({ [name]: "db-password" }))).toEqual([]),
  );

  it("not identity settings, interpolated values, Key Vault references or empty values", () => {
    const hits = findSecrets(
      app({
        AzureWebJobsStorage__credential: "managedidentity",
        AzureWebJobsStorage__clientId: "${azurerm_user_assigned_identity.x.client_id}",
        AZURE_CLIENT_ID: "00000000-0000-4000-8000-000000000001",
        DB_PASSWORD: "@Microsoft.KeyVault(SecretUri=https://orders-kv.vault.azure.net/secrets/db/)",
        API_TOKEN: "${azurerm_user_assigned_identity.x.client_id}",
        CLIENT_SECRET: "",
        KEYBOARD_LAYOUT: "en-US",
      }),
    );
    expect(hits).toEqual([]);
  });
});

describe("findSecrets: credential formats anywhere in the stack", () => {
  it.each([
    ["a GitHub token", FAKE.github],
    ["a GitHub token", FAKE.githubOAuth],
    ["a GitHub fine-grained token", FAKE.githubFineGrained],
    ["an OpenAI API key", FAKE.openai],
    ["an OpenAI API key", FAKE.openaiProject],
    ["a Slack token", FAKE.slack],
    ["an AWS access key id", FAKE.aws],
    ["an AWS access key id", FAKE.awsSession],
    ["a PEM private key", FAKE.pem],
    ["a PEM private key", FAKE.pemRsa],
    ["a PEM private key", FAKE.pemEc],
    ["a PEM private key", FAKE.pemOpenSsh],
    ["a storage account key in a connection string", FAKE.storage],
    ["a shared access key in a connection string", FAKE.serviceBus],
    ["a SAS signature", FAKE.sas],
  ])("%s: %#", (what, secret) => {
    expect(findSecrets({ resource: { null_resource: { n: { triggers: { note: `uses ${secret} here` } } } } })).toEqual([
      { address: "null_resource.n", where: "triggers.note", what },
    ]);
  });

  it("in every part of the stack: data sources, outputs, locals, variable defaults, providers, the terraform block", () => {
    const stack = {
      data: { http: { h: { request_headers: { Authorization: `Bearer ${FAKE.github}` } } } },
      output: { o: { value: FAKE.slack } },
      locals: { l: { nested: [FAKE.aws, "plain"] } },
      variable: { v: { type: "string", default: FAKE.openai } },
      provider: {
        github: [{ token: FAKE.github }],
        aws: [{ access_key: FAKE.aws }, { alias: "eu", access_key: FAKE.awsSession }],
      },
      terraform: { backend: { azurerm: { sas_token: FAKE.sas } } },
    };
    expect(wheres(findSecrets(stack))).toEqual([
      "data.http.h request_headers.Authorization",
      "local.l value.nested.0",
      "output.o value",
      "provider.aws 0.access_key",
      "provider.aws 1.access_key",
      "provider.github token",
      "terraform backend.azurerm.sas_token",
      "variable.v default",
    ]);
  });

  it("not SSH public keys", () => {
    const stack = {
      resource: {
        azurerm_linux_virtual_machine: {
          vm: {
            admin_ssh_key: [
              { username: "ops", public_key: SSH_PUBLIC_KEYS[0] },
              { username: "ci", public_key: SSH_PUBLIC_KEYS[1] },
            ],
          },
        },
      },
    };
    expect(findSecrets(stack)).toEqual([]);
  });

  it("not resource names that merely start like a token", () => {
    expect(
      findSecrets(
        webApp({
          service_plan_id: "${azurerm_service_plan.sk-plan.id}",
          tags: { note: "ghp_short", disk: "disk-" + "a".repeat(30) },
        }),
      ),
    ).toEqual([]);
  });

  it("skips the `//` metadata cdktf writes", () => {
    const stack = {
      "//": { note: FAKE.github },
      resource: {
        "//": { x: FAKE.github },
        azurerm_linux_web_app: { "//": FAKE.github, app: { "//": { metadata: { path: FAKE.github } } } },
      },
    };
    expect(findSecrets(stack)).toEqual([]);
  });

  it("reports each place once, under its most specific kind", () => {
    const hits = findSecrets(
      webApp({
        app_settings: { GITHUB_TOKEN: FAKE.github },
        connection_string: [{ name: "Storage", type: "Custom", value: FAKE.storage }],
        secret: [{ name: "sb", value: FAKE.serviceBus }],
      }),
    );
    expect(hits).toEqual([
      { address: "azurerm_linux_web_app.app", where: "app_settings.GITHUB_TOKEN", what: "a GitHub token" },
      {
        address: "azurerm_linux_web_app.app",
        where: "connection_string.Storage.value",
        what: "a storage account key in a connection string",
      },
      {
        address: "azurerm_linux_web_app.app",
        where: "secret.sb.value",
        what: "a shared access key in a connection string",
      },
    ]);
  });
});

describe("findSecrets: outputs and locals exposing secret attributes", () => {
  it.each([
    "${azurerm_storage_account.s.primary_access_key}",
    "${azurerm_storage_account.s.secondary_access_key}",
    "${azurerm_storage_account.s.primary_connection_string}",
    "${azurerm_storage_account.s.secondary_connection_string}",
    "${azurerm_storage_account.s.primary_blob_connection_string}",
    "${azurerm_cosmosdb_account.c.primary_key}",
    "${azurerm_cosmosdb_account.c.secondary_key}",
    "${azuread_service_principal_password.p.value}",
    "${azurerm_container_registry.r.admin_password}",
    "${azuread_application_password.p.value}",
    "${azurerm_mssql_server.db.administrator_login_password}",
    "${azurerm_kubernetes_cluster.k.kube_config_raw}",
    "${azurerm_kubernetes_cluster.k.kube_admin_config_raw}",
    "${azurerm_kubernetes_cluster.k.kube_config[0].client_key}",
    "${random_password.db.result}",
    "${azurerm_key_vault_secret.s.value}",
    "${tls_private_key.k.private_key_pem}",
    "${data.azurerm_storage_account_sas.s.sas}",
  ])("%s", (value) => {
    const [hit, ...rest] = findSecrets({ output: { x: { value } } });
    expect(rest).toEqual([]);
    expect(hit).toMatchObject({
      address: "output.x",
      where: "value",
      what: expect.stringMatching(/^a secret attribute \(/),
    });
  });

  // CDK Terrain's provider binds azurerm 4.73.0: what it marks sensitive beyond 4.55.0 is a secret too.
  it.each([
    ["azurerm_api_management_workspace_named_value.v.value", "azurerm_api_management_workspace_named_value.v.name"],
    [
      "azurerm_data_factory_linked_service_sql_managed_instance.l.connection_string",
      "azurerm_data_factory_linked_service_sql_managed_instance.l.service_principal_id",
    ],
    [
      "azurerm_machine_learning_compute_cluster.c.ssh[0].admin_password",
      "azurerm_machine_learning_compute_cluster.c.ssh[0].admin_username",
    ],
    ["azurerm_bot_channel_directline.d.extension_key_1", "azurerm_bot_channel_directline.d.bot_name"],
    ["data.azurerm_container_registry.r.admin_password", "data.azurerm_container_registry.r.admin_username"],
  ])("azurerm 4.73's sensitive %s, not its %s", (secret, plain) => {
    const hits = findSecrets({ output: { leak: { value: `\${${secret}}` }, fine: { value: `\${${plain}}` } } });
    expect(hits).toEqual([{ address: "output.leak", where: "value", what: `a secret attribute (${secret})` }]);
  });

  it.each([
    "${azurerm_linux_web_app.app.site_credential[0].password}",
    "${data.azurerm_windows_function_app.f.site_credential[0].name}",
    "${azurerm_linux_virtual_machine_scale_set.s.custom_data}",
    "${azurerm_postgresql_server.p.administrator_login_password}",
    "${data.azurerm_nginx_configuration.n.protected_file[0].content}",
  ])("what azurerm 4.55 already marked sensitive: %s", (value) => {
    expect(findSecrets({ output: { x: { value } } }).map((h) => h.what)).toEqual([
      `a secret attribute (${value.slice(2, -1)})`,
    ]);
  });

  it("says so when the output is sensitive: still in state and in `terraform output`", () => {
    const hits = findSecrets({
      output: { x: { value: "${azurerm_storage_account.s.primary_access_key}", sensitive: true } },
    });
    expect(hits).toEqual([
      {
        address: "output.x",
        where: "value",
        what: "a secret attribute (azurerm_storage_account.s.primary_access_key), in an output marked sensitive (still in state and in `terraform output -json`)",
      },
    ]);
  });

  it("walks nested local values", () => {
    const stack = {
      locals: {
        settings: {
          db: { conn: "${azurerm_mssql_server.db.administrator_login_password}" },
          list: ["${random_password.x.result}"],
        },
        plain: "${azurerm_storage_account.s.id}",
      },
    };
    expect(wheres(findSecrets(stack))).toEqual(["local.settings value.db.conn", "local.settings value.list"]);
  });

  it("not attributes that only locate or identify", () => {
    const stack = {
      output: {
        endpoint: { value: "${azurerm_storage_account.s.primary_blob_endpoint}" },
        client: { value: "${azurerm_user_assigned_identity.x.client_id}" },
        pwauth: { value: "${azurerm_linux_virtual_machine.vm.disable_password_authentication}" },
        description: { value: "${azurerm_key_vault.kv.id}", description: "the vault that holds the password" },
      },
    };
    expect(findSecrets(stack)).toEqual([]);
  });
});

describe("findSecrets: deterministic order", () => {
  it("sorts by address, then where, whatever the order of the JSON", () => {
    const settings = { Z_TOKEN: "a", A_TOKEN: "b", M_TOKEN: "c" };
    const forward = {
      output: { b: { value: FAKE.github }, a: { value: FAKE.github } },
      resource: { z_thing: { b: { app_settings: settings } }, a_thing: { a: { app_settings: settings } } },
    };
    const backward = {
      resource: { a_thing: { a: { app_settings: settings } }, z_thing: { b: { app_settings: settings } } },
      output: { a: { value: FAKE.github }, b: { value: FAKE.github } },
    };
    const expected = [
      "a_thing.a app_settings.A_TOKEN",
      "a_thing.a app_settings.M_TOKEN",
      "a_thing.a app_settings.Z_TOKEN",
      "output.a value",
      "output.b value",
      "z_thing.b app_settings.A_TOKEN",
      "z_thing.b app_settings.M_TOKEN",
      "z_thing.b app_settings.Z_TOKEN",
    ];
    expect(wheres(findSecrets(forward))).toEqual(expected);
    expect(findSecrets(backward)).toEqual(findSecrets(forward));
  });
});

describe("secret attributes in any accessor form", () => {
  it.each([
    ['${lookup(azurerm_storage_account.s, "primary_access_key")}'],
    ['${(azurerm_storage_account.s)["primary_access_key"]}'],
    ["${azurerm_cosmosdb_account.c.primary_sql_connection_string}"],
    ["${azurerm_kubernetes_cluster.k.kube_admin_config[0].client_key}"],
    ["${azuread_application_password.p.value}"],
    ["${azurerm_log_analytics_workspace.w.primary_shared_key}"],
  ])("finds %s in an output and in a tag", (expression) => {
    const hits = findSecrets({
      output: { leak: { value: expression } },
      resource: { azurerm_resource_group: { rg: { name: "rg", tags: { note: expression } } } },
    });
    expect(hits.map((h) => [h.address, h.where])).toEqual([
      ["azurerm_resource_group.rg", "tags.note"],
      ["output.leak", "value"],
    ]);
  });
});

describe("secrets an expression hides from a pattern of its text", () => {
  const gh = FAKE.github;
  const b64 = Buffer.from(gh).toString("base64");
  const output = (value: string) => findSecrets({ output: { o: { value } } }).map((h) => h.what);
  it.each([
    ["a token split across join()", `\${join("", ["${gh.slice(0, 4)}", "${gh.slice(4)}"])}`, "a GitHub token"],
    ["a token split across format()", `\${format("%s%s", "${gh.slice(0, 3)}", "${gh.slice(3)}")}`, "a GitHub token"],
    [
      "a storage key put together by format()",
      '${format("DefaultEndpointsProtocol=https;%s=%s", "AccountKey", "ZmFrZQ==")}',
      "a storage account key in a connection string",
    ],
    ["a token in base64decode()", `\${base64decode("${b64}")}`, "a GitHub token"],
    ["a token behind an HCL escape", `\${"gh\\u0070${gh.slice(3)}"}`, "a GitHub token"],
    ["a PEM header split by an interpolation", '-----BEGIN PRI${""}VATE KEY-----', "a PEM private key"],
    ["a SAS sig split by an interpolation", 'https://a.blob.core.windows.net/c?sv=1&s${""}ig=abc', "a SAS signature"],
    ["a SAS sig percent-encoded twice", "https://x/?u=https%253A%252F%252Fa%252Fc%253Fsig%253Dabc", "a SAS signature"],
    [
      "a key read in a for directive",
      "%{ for k in [azurerm_storage_account.sa.primary_access_key] }${k}%{ endfor }",
      "a secret attribute (azurerm_storage_account.sa.primary_access_key)",
    ],
    [
      "a key read in an if directive",
      '%{ if azurerm_storage_account.sa.primary_access_key != "" }x%{ endif }',
      "a secret attribute (azurerm_storage_account.sa.primary_access_key)",
    ],
    [
      "a key read with spaces around the dots",
      "${azurerm_storage_account . sa . primary_access_key}",
      "a secret attribute (azurerm_storage_account.sa.primary_access_key)",
    ],
    [
      "a data source's key read with a line break",
      "${data.azurerm_storage_account.ds.\n  primary_access_key}",
      "a secret attribute (data.azurerm_storage_account.ds.primary_access_key)",
    ],
  ])("finds %s", (_, value, what) => {
    expect(output(value)).toEqual([what]);
  });

  it("not expressions whose literals are no secret", () => {
    expect(output('${join(",", ["a", "b"])}')).toEqual([]);
    expect(output('${format("%s-%s", "orders", "web")}')).toEqual([]);
    expect(output('${base64encode("hello")}')).toEqual([]);
    expect(output("%{ for n in var.names }${n}%{ endfor }")).toEqual([]);
  });
});
