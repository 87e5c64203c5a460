// The generated estate loaded the cdktf init template's way: root import, type-checking ts-node.
import * as azurerm from "@cdktf/provider-azurerm";
import "./estate-main";

void azurerm.provider.AzurermProvider;
