/**
 * The secret attributes of the types no shipped service owns (a service module lists its own
 * types' in its keys part; the secret scan reads both through azure/contract/keys): every
 * attribute of an azurerm resource or data source whose value is a key, password, connection
 * string or token, i.e. the attributes the provider's own schemas mark `Sensitive` (read from
 * terraform-provider-azurerm internal/services at v4.55.0, the version cdktf's provider binds,
 * plus those marked or added up to v4.73.0, the version CDK Terrain's binds: one table serves
 * both runtimes, and an entry only 4.73 has matches nothing on 4.55), plus the few keys it does not
 * mark (`KEYS_NOT_MARKED`). A path names a nested attribute (`kube_config.client_key`); a listed
 * block covers all of it.
 */
const SENSITIVE: Readonly<Record<string, string>> = {
  azurerm_active_directory_domain_service: "secure_ldap.pfx_certificate secure_ldap.pfx_certificate_password",
  azurerm_active_directory_domain_service_trust: "password",
  azurerm_ai_services: "primary_access_key secondary_access_key",
  azurerm_analysis_services_server: "backup_blob_container_uri",
  azurerm_api_management:
    "certificate.certificate_password certificate.encoded_certificate delegation.validation_key hostname_configuration.developer_portal.certificate hostname_configuration.developer_portal.certificate_password hostname_configuration.management.certificate hostname_configuration.management.certificate_password hostname_configuration.portal.certificate hostname_configuration.portal.certificate_password hostname_configuration.proxy.certificate hostname_configuration.proxy.certificate_password hostname_configuration.scm.certificate hostname_configuration.scm.certificate_password tenant_access.primary_key tenant_access.secondary_key",
  azurerm_api_management_authorization_server: "client_secret resource_owner_password",
  azurerm_api_management_backend: "proxy.password",
  azurerm_api_management_certificate: "data password",
  azurerm_api_management_custom_domain:
    "developer_portal.certificate developer_portal.certificate_password gateway.certificate gateway.certificate_password management.certificate management.certificate_password portal.certificate portal.certificate_password scm.certificate scm.certificate_password",
  azurerm_api_management_identity_provider_aad: "client_secret",
  azurerm_api_management_identity_provider_aadb2c: "client_secret",
  azurerm_api_management_identity_provider_facebook: "app_secret",
  azurerm_api_management_identity_provider_google: "client_secret",
  azurerm_api_management_identity_provider_microsoft: "client_secret",
  azurerm_api_management_identity_provider_twitter: "api_key api_secret_key",
  azurerm_api_management_logger:
    "application_insights.connection_string application_insights.instrumentation_key eventhub.connection_string",
  azurerm_api_management_named_value: "value",
  azurerm_api_management_openid_connect_provider: "client_id client_secret",
  azurerm_api_management_redis_cache: "connection_string",
  azurerm_api_management_subscription: "primary_key secondary_key",
  azurerm_api_management_user: "password",
  azurerm_api_management_workspace_certificate: "certificate_data_base64 password",
  azurerm_api_management_workspace_named_value: "value",
  azurerm_app_service:
    "auth_settings.active_directory.client_secret auth_settings.facebook.app_secret auth_settings.google.client_secret auth_settings.microsoft.client_secret auth_settings.twitter.consumer_secret backup.storage_account_url connection_string.value logs.application_logs.azure_blob_storage.sas_url logs.http_logs.azure_blob_storage.sas_url site_credential.password storage_account.access_key",
  azurerm_app_service_certificate: "password pfx_blob",
  azurerm_app_service_connection: "authentication.certificate authentication.secret",
  azurerm_app_service_hybrid_connection: "send_key_value",
  azurerm_app_service_slot:
    "auth_settings.active_directory.client_secret auth_settings.facebook.app_secret auth_settings.google.client_secret auth_settings.microsoft.client_secret auth_settings.twitter.consumer_secret connection_string.value logs.application_logs.azure_blob_storage.sas_url logs.http_logs.azure_blob_storage.sas_url site_credential.password storage_account.access_key",
  azurerm_app_service_source_control: "github_action_configuration.container_configuration.registry_password",
  azurerm_app_service_source_control_slot: "github_action_configuration.container_configuration.registry_password",
  azurerm_app_service_source_control_token: "token token_secret",
  azurerm_application_gateway:
    "authentication_certificate.data ssl_certificate.data ssl_certificate.password trusted_client_certificate.data trusted_root_certificate.data",
  azurerm_application_insights_api_key: "api_key",
  azurerm_arc_kubernetes_cluster_extension: "configuration_protected_settings",
  azurerm_arc_kubernetes_flux_configuration:
    "blob_storage.account_key blob_storage.sas_token blob_storage.service_principal.client_certificate_base64 blob_storage.service_principal.client_certificate_password blob_storage.service_principal.client_secret bucket.secret_key_base64 git_repository.https_ca_cert_base64 git_repository.https_key_base64 git_repository.ssh_private_key_base64",
  azurerm_arc_machine_extension: "protected_settings",
  azurerm_automation_account: "dsc_primary_access_key dsc_secondary_access_key",
  azurerm_automation_certificate: "base64",
  azurerm_automation_credential: "password",
  azurerm_automation_webhook: "uri",
  azurerm_batch_account: "primary_access_key secondary_access_key",
  azurerm_batch_certificate: "certificate password",
  azurerm_batch_pool:
    "container_configuration.container_registries.password extensions.protected_settings mount.azure_blob_file_system.account_key mount.azure_blob_file_system.sas_key mount.azure_file_share.account_key mount.cifs_mount.password start_task.container.registry.password user_accounts.linux_user_configuration.ssh_private_key user_accounts.password",
  azurerm_bot_channel_direct_line_speech: "cognitive_service_access_key",
  azurerm_bot_channel_directline: "extension_key_1 extension_key_2 site.key site.key2",
  azurerm_bot_channel_email: "email_password magic_code",
  azurerm_bot_channel_facebook: "facebook_application_secret page.access_token",
  azurerm_bot_channel_line: "line_channel.access_token line_channel.secret",
  azurerm_bot_channel_slack: "client_secret signing_secret verification_token",
  azurerm_bot_channel_sms: "sms_channel_auth_token",
  azurerm_bot_channels_registration: "developer_app_insights_api_key",
  azurerm_bot_connection: "client_secret",
  azurerm_bot_service_azure_bot: "developer_app_insights_api_key luis_key",
  azurerm_bot_web_app: "developer_app_insights_api_key luis_key",
  azurerm_communication_service: "primary_connection_string primary_key secondary_connection_string secondary_key",
  azurerm_container_app_environment_certificate: "certificate_password",
  azurerm_container_app_environment_custom_domain: "certificate_password",
  azurerm_container_app_environment_dapr_component: "secret",
  azurerm_container_app_environment_storage: "access_key",
  azurerm_container_registry_task:
    "base_image_trigger.update_trigger_endpoint docker_step.context_access_token docker_step.secret_arguments encoded_step.context_access_token encoded_step.secret_values file_step.context_access_token file_step.secret_values registry_credential.custom source_trigger.authentication.refresh_token source_trigger.authentication.token",
  azurerm_container_registry_token_password: "password1.value password2.value",
  azurerm_cosmosdb_cassandra_cluster: "default_admin_password",
  azurerm_cosmosdb_mongo_user_definition: "password",
  azurerm_cosmosdb_postgresql_cluster: "administrator_login_password",
  azurerm_cosmosdb_postgresql_role: "password",
  azurerm_dashboard_grafana: "smtp.password",
  azurerm_data_factory_integration_runtime_azure_ssis:
    "catalog_info.administrator_password custom_setup_script.sas_token express_custom_setup.command_key.password express_custom_setup.component.license",
  azurerm_data_factory_linked_service_azure_blob_storage: "connection_string sas_uri service_endpoint",
  azurerm_data_factory_linked_service_azure_databricks: "access_token",
  azurerm_data_factory_linked_service_azure_file_storage: "connection_string password",
  azurerm_data_factory_linked_service_azure_function: "key",
  azurerm_data_factory_linked_service_azure_table_storage: "connection_string",
  azurerm_data_factory_linked_service_cosmosdb: "account_key connection_string",
  azurerm_data_factory_linked_service_cosmosdb_mongoapi: "connection_string",
  azurerm_data_factory_linked_service_data_lake_storage_gen2: "service_principal_key storage_account_key",
  azurerm_data_factory_linked_service_kusto: "service_principal_key",
  azurerm_data_factory_linked_service_odata: "basic_authentication.password",
  azurerm_data_factory_linked_service_odbc: "basic_authentication.password",
  azurerm_data_factory_linked_service_sftp: "password private_key_content_base64 private_key_passphrase",
  azurerm_data_factory_linked_service_sql_managed_instance: "connection_string service_principal_key",
  azurerm_data_factory_linked_service_web: "password",
  azurerm_databricks_workspace:
    "managed_disk_identity.principal_id managed_disk_identity.tenant_id storage_account_identity.principal_id storage_account_identity.tenant_id",
  azurerm_datadog_monitor:
    "datadog_organization.api_key datadog_organization.application_key datadog_organization.linking_auth_code datadog_organization.linking_client_id",
  azurerm_dev_center_network_connection: "domain_password",
  azurerm_dev_test_linux_virtual_machine: "password",
  azurerm_dev_test_windows_virtual_machine: "password",
  azurerm_digital_twins_endpoint_eventhub:
    "dead_letter_storage_secret eventhub_primary_connection_string eventhub_secondary_connection_string",
  azurerm_digital_twins_endpoint_servicebus:
    "dead_letter_storage_secret servicebus_primary_connection_string servicebus_secondary_connection_string",
  azurerm_eventgrid_event_subscription: "delivery_property.value",
  azurerm_eventgrid_system_topic_event_subscription: "delivery_property.value",
  azurerm_eventhub_authorization_rule:
    "primary_connection_string primary_connection_string_alias primary_key secondary_connection_string secondary_connection_string_alias secondary_key",
  azurerm_eventhub_namespace_authorization_rule:
    "primary_connection_string primary_connection_string_alias primary_key secondary_connection_string secondary_connection_string_alias secondary_key",
  azurerm_express_route_circuit: "authorization_key service_key",
  azurerm_express_route_circuit_authorization: "authorization_key",
  azurerm_express_route_circuit_connection: "authorization_key",
  azurerm_express_route_circuit_peering: "shared_key",
  azurerm_express_route_port_authorization: "authorization_key",
  azurerm_fluid_relay_server: "primary_key secondary_key",
  azurerm_function_app:
    "auth_settings.active_directory.client_secret auth_settings.facebook.app_secret auth_settings.google.client_secret auth_settings.microsoft.client_secret auth_settings.twitter.consumer_secret connection_string.value site_credential.password storage_account_access_key",
  azurerm_function_app_connection: "authentication.certificate authentication.secret",
  azurerm_function_app_flex_consumption:
    "auth_settings.active_directory.client_secret auth_settings.facebook.app_secret auth_settings.github.client_secret auth_settings.google.client_secret auth_settings.microsoft.client_secret auth_settings.twitter.consumer_secret connection_string.value custom_domain_verification_id site_config.application_insights_connection_string site_config.application_insights_key site_credential",
  azurerm_function_app_hybrid_connection: "send_key_value",
  azurerm_function_app_slot:
    "auth_settings.active_directory.client_secret auth_settings.facebook.app_secret auth_settings.google.client_secret auth_settings.microsoft.client_secret auth_settings.twitter.consumer_secret connection_string.value site_credential.password storage_account_access_key",
  azurerm_hdinsight_hadoop_cluster:
    "extension.primary_key gateway.password metastores.ambari.password metastores.hive.password metastores.oozie.password monitor.primary_key roles.head_node.password roles.worker_node.password roles.zookeeper_node.password security_profile.domain_user_password storage_account.storage_account_key",
  azurerm_hdinsight_hbase_cluster:
    "extension.primary_key gateway.password metastores.ambari.password metastores.hive.password metastores.oozie.password monitor.primary_key roles.head_node.password roles.worker_node.password roles.zookeeper_node.password security_profile.domain_user_password storage_account.storage_account_key",
  azurerm_hdinsight_interactive_query_cluster:
    "extension.primary_key gateway.password metastores.ambari.password metastores.hive.password metastores.oozie.password monitor.primary_key roles.head_node.password roles.worker_node.password roles.zookeeper_node.password security_profile.domain_user_password storage_account.storage_account_key",
  azurerm_hdinsight_kafka_cluster:
    "extension.primary_key gateway.password metastores.ambari.password metastores.hive.password metastores.oozie.password monitor.primary_key roles.head_node.password roles.kafka_management_node.password roles.worker_node.password roles.zookeeper_node.password security_profile.domain_user_password storage_account.storage_account_key",
  azurerm_hdinsight_spark_cluster:
    "extension.primary_key gateway.password metastores.ambari.password metastores.hive.password metastores.oozie.password monitor.primary_key roles.head_node.password roles.worker_node.password roles.zookeeper_node.password security_profile.domain_user_password storage_account.storage_account_key",
  azurerm_hpc_cache: "directory_active_directory.password directory_ldap.bind.password",
  azurerm_iothub:
    "endpoint.connection_string file_upload.connection_string shared_access_policy.primary_key shared_access_policy.secondary_key",
  azurerm_iothub_certificate: "certificate_content",
  azurerm_iothub_device_update_instance: "diagnostic_storage_account.connection_string",
  azurerm_iothub_dps: "linked_hub.connection_string",
  azurerm_iothub_dps_certificate: "certificate_content",
  azurerm_iothub_dps_shared_access_policy:
    "primary_connection_string primary_key secondary_connection_string secondary_key",
  azurerm_iothub_endpoint_cosmosdb_account: "primary_key secondary_key",
  azurerm_iothub_endpoint_eventhub: "connection_string",
  azurerm_iothub_endpoint_servicebus_queue: "connection_string",
  azurerm_iothub_endpoint_servicebus_topic: "connection_string",
  azurerm_iothub_endpoint_storage_container: "connection_string",
  azurerm_iothub_file_upload: "connection_string",
  azurerm_iothub_shared_access_policy:
    "primary_connection_string primary_key secondary_connection_string secondary_key",
  azurerm_key_vault_certificate: "certificate.contents certificate.password",
  azurerm_key_vault_certificate_issuer: "password",
  azurerm_key_vault_managed_hardware_security_module: "security_domain_encrypted_data",
  azurerm_key_vault_secret: "value",
  azurerm_kubernetes_cluster_extension: "configuration_protected_settings",
  azurerm_kubernetes_flux_configuration:
    "blob_storage.account_key blob_storage.sas_token blob_storage.service_principal.client_certificate_base64 blob_storage.service_principal.client_certificate_password blob_storage.service_principal.client_secret bucket.secret_key_base64 git_repository.https_ca_cert_base64 git_repository.https_key_base64 git_repository.ssh_private_key_base64",
  azurerm_kusto_script: "sas_token script_content",
  azurerm_log_analytics_storage_insights: "storage_account_key",
  azurerm_logic_app_standard: "connection_string.value site_credential.password storage_account_access_key",
  azurerm_machine_learning_compute_cluster: "ssh.admin_password",
  azurerm_machine_learning_datastore_blobstorage: "account_key shared_access_signature",
  azurerm_machine_learning_datastore_datalake_gen2: "client_secret",
  azurerm_machine_learning_datastore_fileshare: "account_key shared_access_signature",
  azurerm_managed_disk_sas_token: "sas_url",
  azurerm_managed_redis: "default_database.primary_access_key default_database.secondary_access_key",
  azurerm_maps_account: "primary_access_key secondary_access_key",
  azurerm_mobile_network_sim: "authentication_key operator_key_code",
  azurerm_mongo_cluster: "administrator_password connection_strings",
  azurerm_mssql_database_extended_auditing_policy: "storage_account_access_key",
  azurerm_mssql_job_credential: "password",
  azurerm_mssql_managed_instance: "administrator_login_password",
  azurerm_mssql_managed_instance_security_alert_policy: "storage_account_access_key",
  azurerm_mssql_managed_instance_vulnerability_assessment: "storage_account_access_key storage_container_sas_key",
  azurerm_mssql_server_microsoft_support_auditing_policy: "storage_account_access_key storage_account_subscription_id",
  azurerm_mssql_server_security_alert_policy: "storage_account_access_key",
  azurerm_mssql_server_vulnerability_assessment: "storage_account_access_key storage_container_sas_key",
  azurerm_mssql_virtual_machine:
    "auto_backup.encryption_password key_vault_credential.key_vault_url key_vault_credential.service_principal_name key_vault_credential.service_principal_secret sql_connectivity_update_password sql_connectivity_update_username wsfc_domain_credential.cluster_bootstrap_account_password wsfc_domain_credential.cluster_operator_account_password wsfc_domain_credential.sql_service_account_password",
  azurerm_mssql_virtual_machine_group: "wsfc_domain_profile.storage_account_primary_key",
  azurerm_netapp_account: "active_directory.password active_directory.server_root_ca_certificate",
  azurerm_new_relic_monitor: "ingestion_key",
  azurerm_nginx_api_key: "secret_text",
  azurerm_nginx_configuration: "protected_file.content",
  azurerm_notification_hub: "apns_credential.token browser_credential.vapid_private_key gcm_credential.api_key",
  azurerm_notification_hub_authorization_rule:
    "primary_access_key primary_connection_string secondary_access_key secondary_connection_string",
  azurerm_oracle_autonomous_database: "admin_password",
  azurerm_oracle_autonomous_database_clone_from_backup: "admin_password",
  azurerm_oracle_autonomous_database_clone_from_database: "admin_password",
  azurerm_orchestrated_virtual_machine_scale_set:
    "extension.protected_settings os_profile.custom_data os_profile.linux_configuration.admin_password os_profile.windows_configuration.additional_unattend_content.content os_profile.windows_configuration.admin_password user_data_base64",
  azurerm_palo_alto_next_generation_firewall_virtual_hub_panorama: "panorama.virtual_machine_ssh_key",
  azurerm_palo_alto_next_generation_firewall_virtual_network_panorama: "panorama.virtual_machine_ssh_key",
  azurerm_postgresql_server: "administrator_login_password threat_detection_policy.storage_account_access_key",
  azurerm_purview_account:
    "atlas_kafka_endpoint_primary_connection_string atlas_kafka_endpoint_secondary_connection_string",
  azurerm_qumulo_file_system: "admin_password",
  azurerm_redhat_openshift_cluster: "cluster_profile.pull_secret service_principal.client_secret",
  azurerm_redis_enterprise_database: "primary_access_key secondary_access_key",
  azurerm_relay_hybrid_connection_authorization_rule:
    "primary_connection_string primary_connection_string_alias primary_key secondary_connection_string secondary_connection_string_alias secondary_key",
  azurerm_relay_namespace: "primary_connection_string primary_key secondary_connection_string secondary_key",
  azurerm_relay_namespace_authorization_rule:
    "primary_connection_string primary_connection_string_alias primary_key secondary_connection_string secondary_connection_string_alias secondary_key",
  azurerm_resource_deployment_script_azure_cli: "environment_variable.secure_value storage_account.key",
  azurerm_resource_deployment_script_azure_power_shell: "environment_variable.secure_value storage_account.key",
  azurerm_security_center_automation: "action.connection_string action.trigger_url",
  azurerm_sentinel_data_connector_threat_intelligence_taxii: "password user_name",
  azurerm_service_fabric_managed_cluster: "password",
  azurerm_servicebus_namespace_authorization_rule:
    "primary_connection_string primary_connection_string_alias primary_key secondary_connection_string secondary_connection_string_alias secondary_key",
  azurerm_servicebus_namespace_disaster_recovery_config:
    "default_primary_key default_secondary_key primary_connection_string_alias secondary_connection_string_alias",
  azurerm_servicebus_queue_authorization_rule:
    "primary_connection_string primary_connection_string_alias primary_key secondary_connection_string secondary_connection_string_alias secondary_key",
  azurerm_servicebus_topic_authorization_rule:
    "primary_connection_string primary_connection_string_alias primary_key secondary_connection_string secondary_connection_string_alias secondary_key",
  azurerm_source_control_token: "token token_secret",
  azurerm_spring_cloud_app_dynamics_application_performance_monitoring: "agent_account_access_key agent_account_name",
  azurerm_spring_cloud_app_mysql_association: "password",
  azurerm_spring_cloud_configuration_service: "repository.password repository.private_key",
  azurerm_spring_cloud_connection: "authentication.certificate authentication.secret",
  azurerm_spring_cloud_customized_accelerator:
    "git_repository.basic_auth.password git_repository.ssh_auth.host_key git_repository.ssh_auth.private_key",
  azurerm_spring_cloud_dynatrace_application_performance_monitoring: "api_token tenant tenant_token",
  azurerm_spring_cloud_gateway: "sensitive_environment_variables",
  azurerm_spring_cloud_new_relic_application_performance_monitoring: "license_key",
  azurerm_spring_cloud_service:
    "config_server_git_setting.http_basic_auth.password config_server_git_setting.repository.http_basic_auth.password config_server_git_setting.repository.ssh_auth.host_key config_server_git_setting.repository.ssh_auth.private_key config_server_git_setting.ssh_auth.host_key config_server_git_setting.ssh_auth.private_key container_registry.password",
  azurerm_stack_hci_extension: "protected_settings",
  azurerm_static_site: "api_key",
  azurerm_static_site_custom_domain: "validation_token",
  azurerm_static_web_app: "api_key basic_auth repository_token",
  azurerm_static_web_app_custom_domain: "validation_token",
  azurerm_storage_account_local_user: "password sid",
  azurerm_stream_analytics_cluster: "password",
  azurerm_stream_analytics_job: "job_storage_account.account_key",
  azurerm_stream_analytics_job_storage_account: "storage_account_key",
  azurerm_stream_analytics_output_blob: "storage_account_key",
  azurerm_stream_analytics_output_cosmosdb: "cosmosdb_account_key",
  azurerm_stream_analytics_output_eventhub: "shared_access_policy_key",
  azurerm_stream_analytics_output_function: "api_key",
  azurerm_stream_analytics_output_mssql: "password",
  azurerm_stream_analytics_output_servicebus_queue: "shared_access_policy_key",
  azurerm_stream_analytics_output_servicebus_topic: "shared_access_policy_key",
  azurerm_stream_analytics_output_synapse: "password",
  azurerm_stream_analytics_output_table: "storage_account_key",
  azurerm_stream_analytics_reference_input_blob: "storage_account_key",
  azurerm_stream_analytics_reference_input_mssql: "password",
  azurerm_stream_analytics_stream_input_blob: "storage_account_key",
  azurerm_stream_analytics_stream_input_eventhub: "shared_access_policy_key",
  azurerm_stream_analytics_stream_input_eventhub_v2: "shared_access_policy_key",
  azurerm_stream_analytics_stream_input_iothub: "shared_access_policy_key",
  azurerm_synapse_sql_pool_extended_auditing_policy: "storage_account_access_key",
  azurerm_synapse_sql_pool_security_alert_policy: "storage_account_access_key",
  azurerm_synapse_sql_pool_vulnerability_assessment: "storage_account_access_key storage_container_sas_key",
  azurerm_synapse_workspace: "sql_administrator_login_password",
  azurerm_synapse_workspace_extended_auditing_policy: "storage_account_access_key",
  azurerm_synapse_workspace_security_alert_policy: "storage_account_access_key",
  azurerm_synapse_workspace_vulnerability_assessment: "storage_account_access_key storage_container_sas_key",
  azurerm_system_center_virtual_machine_manager_server: "password",
  azurerm_system_center_virtual_machine_manager_virtual_machine_instance: "operating_system.admin_password",
  azurerm_system_center_virtual_machine_manager_virtual_machine_instance_guest_agent: "password",
  azurerm_virtual_desktop_host_pool_registration_info: "token",
  azurerm_virtual_machine: "os_profile.admin_password os_profile_windows_config.additional_unattend_config.content",
  azurerm_virtual_machine_extension: "protected_settings",
  azurerm_virtual_machine_run_command:
    "error_blob_managed_identity output_blob_managed_identity protected_parameter run_as_password source.script_uri_managed_identity",
  azurerm_virtual_machine_scale_set:
    "extension.protected_settings os_profile.admin_password os_profile_windows_config.additional_unattend_config.content",
  azurerm_virtual_machine_scale_set_extension: "protected_settings",
  azurerm_virtual_network_gateway: "vpn_client_configuration.radius_server.secret",
  azurerm_virtual_network_gateway_connection: "authorization_key shared_key",
  azurerm_vmware_express_route_authorization: "express_route_authorization_key",
  azurerm_vmware_private_cloud: "nsxt_password vcenter_password",
  azurerm_vpn_server_configuration: "radius.server.secret",
  azurerm_web_app_hybrid_connection: "send_key_value",
  azurerm_web_pubsub_socketio:
    "primary_access_key primary_connection_string secondary_access_key secondary_connection_string",
  azurerm_workloads_sap_single_node_virtual_instance:
    "single_server_configuration.virtual_machine_configuration.os_profile.ssh_private_key",
  azurerm_workloads_sap_three_tier_virtual_instance:
    "three_tier_configuration.application_server_configuration.virtual_machine_configuration.os_profile.ssh_private_key three_tier_configuration.central_server_configuration.virtual_machine_configuration.os_profile.ssh_private_key three_tier_configuration.database_server_configuration.virtual_machine_configuration.os_profile.ssh_private_key",
  "data.azurerm_api_management": "tenant_access.primary_key tenant_access.secondary_key",
  "data.azurerm_api_management_subscription": "primary_key secondary_key",
  "data.azurerm_app_service": "connection_string.value site_credential.password",
  "data.azurerm_batch_account": "primary_access_key secondary_access_key",
  "data.azurerm_batch_pool":
    "container_configuration.container_registries.password mount.cifs_mount.password start_task.container.registry.password user_accounts.linux_user_configuration.ssh_private_key user_accounts.password",
  "data.azurerm_communication_service":
    "primary_connection_string primary_key secondary_connection_string secondary_key",
  "data.azurerm_databricks_workspace":
    "managed_disk_identity.principal_id managed_disk_identity.tenant_id storage_account_identity.principal_id storage_account_identity.tenant_id",
  "data.azurerm_eventhub_authorization_rule":
    "primary_connection_string primary_connection_string_alias primary_key secondary_connection_string secondary_connection_string_alias secondary_key",
  "data.azurerm_eventhub_namespace_authorization_rule":
    "primary_connection_string primary_connection_string_alias primary_key secondary_connection_string secondary_connection_string_alias secondary_key",
  "data.azurerm_eventhub_sas": "connection_string sas",
  "data.azurerm_function_app": "connection_string.value site_credential.password",
  "data.azurerm_function_app_host_keys":
    "blobs_extension_key default_function_key durabletask_extension_key event_grid_extension_config_key event_grid_extension_key primary_key signalr_extension_key webpubsub_extension_key",
  "data.azurerm_hdinsight_cluster": "gateway.password",
  "data.azurerm_iothub_dps_shared_access_policy":
    "primary_connection_string primary_key secondary_connection_string secondary_key",
  "data.azurerm_iothub_shared_access_policy":
    "primary_connection_string primary_key secondary_connection_string secondary_key",
  "data.azurerm_key_vault_certificate_data": "key",
  "data.azurerm_key_vault_encrypted_value": "decoded_plain_text_value encrypted_data plain_text_value",
  "data.azurerm_key_vault_secret": "value",
  "data.azurerm_logic_app_standard": "connection_string.value site_credential.password storage_account_access_key",
  "data.azurerm_managed_redis": "default_database.primary_access_key default_database.secondary_access_key",
  "data.azurerm_maps_account": "primary_access_key secondary_access_key",
  "data.azurerm_nginx_configuration": "protected_file.content",
  "data.azurerm_notification_hub": "apns_credential.token gcm_credential.api_key",
  "data.azurerm_redis_enterprise_database": "primary_access_key secondary_access_key",
  "data.azurerm_servicebus_namespace_authorization_rule":
    "primary_connection_string primary_connection_string_alias primary_key secondary_connection_string secondary_connection_string_alias secondary_key",
  "data.azurerm_servicebus_namespace_disaster_recovery_config":
    "default_primary_key default_secondary_key primary_connection_string_alias secondary_connection_string_alias",
  "data.azurerm_servicebus_queue_authorization_rule":
    "primary_connection_string primary_connection_string_alias primary_key secondary_connection_string secondary_connection_string_alias secondary_key",
  "data.azurerm_servicebus_topic_authorization_rule":
    "primary_connection_string primary_connection_string_alias primary_key secondary_connection_string secondary_connection_string_alias secondary_key",
  "data.azurerm_source_control_token": "token token_secret",
  "data.azurerm_spring_cloud_service":
    "config_server_git_setting.http_basic_auth.password config_server_git_setting.repository.http_basic_auth.password config_server_git_setting.repository.ssh_auth.host_key config_server_git_setting.repository.ssh_auth.private_key config_server_git_setting.ssh_auth.host_key config_server_git_setting.ssh_auth.private_key",
  "data.azurerm_static_web_app": "api_key basic_auth",
  "data.azurerm_storage_account_blob_container_sas": "connection_string sas",
  "data.azurerm_storage_account_sas": "connection_string sas",
};

/** Keys the provider does not mark sensitive: values its data sources expose in clear. */
const KEYS_NOT_MARKED: Readonly<Record<string, string>> = {
  "data.azurerm_automation_account": "primary_key secondary_key",
  "data.azurerm_express_route_circuit": "service_key",
};

/** Other providers' secrets the estate may hold (each marked sensitive in its provider's schema). */
const OTHER_PROVIDERS: Readonly<Record<string, string>> = {
  random_password: "bcrypt_hash result",
  azuread_application_password: "value",
  azuread_service_principal_password: "value",
  tls_private_key: "private_key_openssh private_key_pem private_key_pem_pkcs8",
};

/** Terraform type (`azurerm_x`, `data.azurerm_x`) → its secret attribute paths, space-separated, table by table. */
export const UNOWNED_SECRET_ATTRIBUTES: readonly Readonly<Record<string, string>>[] = [
  SENSITIVE,
  KEYS_NOT_MARKED,
  OTHER_PROVIDERS,
];
