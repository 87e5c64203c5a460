// The cdktf init template's way of loading the same app: the provider package's root import,
// which ts-node type-checks along with every file it loads.
import * as azurerm from "@cdktf/provider-azurerm";
import "../main";

// Keep the root import at run time too, as an app that uses it would.
void azurerm.provider.AzurermProvider;
